// An owned file descriptor (file, pipe end, socket), closed when it goes out of scope.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace pgroute::test_support {

class unique_fd {
  public:
    // Takes the result of open/socket/pipe; -1 becomes an exception naming `what`.
    unique_fd(int fd, const std::string& what) : fd_(fd) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), what);
    }
    ~unique_fd() { reset(); }
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;

    [[nodiscard]] int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

}  // namespace pgroute::test_support
