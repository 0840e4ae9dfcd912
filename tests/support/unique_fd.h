// An owned file descriptor (file, pipe end, socket), closed when it goes out of scope.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace pgroute::test_support {

class UniqueFd {
  public:
    // Takes the result of open/socket/pipe; -1 becomes an exception naming `what`.
    UniqueFd(int fd, const std::string& what) : fd_(fd) {
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), what);
    }
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    [[nodiscard]] int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

}  // namespace pgroute::test_support
