// Force-included into every translation unit of an io_uring build (see CMakeLists.txt).
//
// Asio 1.22 (Debian 12) prepares its cancel and timeout-remove submissions without setting their
// user_data, and liburing 2.3's io_uring_get_sqe hands out a ring slot as the last request left
// it. The completion of such a cancel then carries the address of whichever socket last used the
// slot, and Asio delivers its result (0, -ENOENT, -EALREADY) to that socket's pending read or
// write: an unrelated session sees a spurious end of stream or "No such file or directory", and
// the real completion, when it comes, lands on the wrong operation. Later Asio releases clear
// user_data in get_sqe; this does the same for the inline code Asio 1.22 compiles into us.
#pragma once

#include <liburing.h>

inline io_uring_sqe* pgroute_io_uring_get_cleared_sqe(io_uring* ring) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (sqe != nullptr) io_uring_sqe_set_data(sqe, nullptr);
    return sqe;
}

// Function-like, so liburing's own declaration above is left alone; Asio's
// `::io_uring_get_sqe(&ring_)` becomes `::pgroute_io_uring_get_cleared_sqe(&ring_)`.
#define io_uring_get_sqe(ring) pgroute_io_uring_get_cleared_sqe(ring)
