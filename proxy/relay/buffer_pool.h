// Fixed-size relay buffers owned by one worker thread. A session holds a buffer only while a
// direction has bytes in flight, so idle sessions cost no buffer memory (as PgBouncer's sbuf).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace pgroute::proxy {

class buffer_pool;

// A buffer on loan; returns itself to the pool when released or destroyed.
class pooled_buffer {
  public:
    pooled_buffer() = default;
    pooled_buffer(pooled_buffer&& other) noexcept
        : pool_(other.pool_), data_(std::move(other.data_)) {}
    pooled_buffer& operator=(pooled_buffer&& other) noexcept {
        reset();
        pool_ = other.pool_;
        data_ = std::move(other.data_);
        return *this;
    }
    pooled_buffer(const pooled_buffer&) = delete;
    ~pooled_buffer() { reset(); }

    [[nodiscard]] explicit operator bool() const { return data_ != nullptr; }
    [[nodiscard]] char* data() const { return data_.get(); }
    void reset();

  private:
    friend class buffer_pool;
    pooled_buffer(buffer_pool* pool, std::unique_ptr<char[]> data)
        : pool_(pool), data_(std::move(data)) {}

    buffer_pool* pool_ = nullptr;
    std::unique_ptr<char[]> data_;
};

class buffer_pool {
  public:
    buffer_pool(std::size_t buffer_size, std::size_t max_idle)
        : buffer_size_(buffer_size), max_idle_(max_idle) {}

    [[nodiscard]] std::size_t buffer_size() const { return buffer_size_; }
    [[nodiscard]] pooled_buffer acquire();

  private:
    friend class pooled_buffer;
    void give_back(std::unique_ptr<char[]> data);

    std::size_t buffer_size_;
    std::size_t max_idle_;
    std::vector<std::unique_ptr<char[]>> idle_;
};

}  // namespace pgroute::proxy
