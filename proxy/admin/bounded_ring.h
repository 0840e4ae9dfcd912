// A fixed number of the latest values, oldest first: what the status page's history keeps. The
// storage is allocated once, so a long-running pgroute holds the same memory on day one and
// day one hundred.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pgroute::proxy {

template <typename T>
class bounded_ring {
  public:
    explicit bounded_ring(std::size_t capacity) : slots_(capacity) {
        if (capacity == 0) throw std::invalid_argument("bounded_ring needs a capacity");
    }

    // When full, the oldest value makes room.
    void push(T value) {
        slots_[(first_ + size_) % slots_.size()] = std::move(value);
        if (size_ < slots_.size()) {
            ++size_;
        } else {
            first_ = (first_ + 1) % slots_.size();
        }
    }

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const { return slots_.size(); }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    // 0 is the oldest value kept, size() - 1 the newest.
    [[nodiscard]] const T& operator[](std::size_t index) const {
        return slots_[(first_ + index) % slots_.size()];
    }
    [[nodiscard]] const T& back() const { return (*this)[size_ - 1]; }

  private:
    std::vector<T> slots_;
    std::size_t first_ = 0;
    std::size_t size_ = 0;
};

}  // namespace pgroute::proxy
