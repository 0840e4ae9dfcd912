#include "proxy/relay/buffer_pool.h"

namespace pgroute::proxy {

void pooled_buffer::reset() {
    if (data_) pool_->give_back(std::move(data_));
}

pooled_buffer buffer_pool::acquire() {
    if (idle_.empty()) {
        return {this, std::make_unique_for_overwrite<char[]>(buffer_size_)};
    }
    auto data = std::move(idle_.back());
    idle_.pop_back();
    return {this, std::move(data)};
}

void buffer_pool::give_back(std::unique_ptr<char[]> data) {
    // Beyond max_idle the memory goes back to the allocator, so a burst does not pin it forever.
    if (idle_.size() < max_idle_) idle_.push_back(std::move(data));
}

}  // namespace pgroute::proxy
