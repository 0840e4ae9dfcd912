// A wait for a plain socket to become readable, for the moment right after a read found it empty
// (a short read, or would_block): epoll reports the next bytes as a new edge, so nothing needs
// re-arming. socket::async_wait cannot know that and re-arms the descriptor with an
// EPOLL_CTL_MOD on every wait (epoll_reactor::start_op's non-speculative branch): one system
// call per message and direction, a quarter of the relay's (8 per transaction at one client,
// 6 without). This op takes start_op's speculative branch instead, whose perform answers "not
// yet" without a system call, so start_op only queues it; the epoll event then completes it.
// It reaches into Asio 1.22's reactor (asio::detail), hence the version check below: review it
// against epoll_reactor::start_op before building with another Asio.
#pragma once

#include <asio/detail/reactor.hpp>
#include <asio/detail/reactor_op.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/version.hpp>
#include <system_error>
#include <utility>

namespace pgroute::proxy::relay_detail {

static_assert(ASIO_VERSION == 102201,
              "drained_wait relies on Asio 1.22.1's epoll_reactor::start_op: check it again");

// One pending wait at a time, reused; `Fn` is called with the wait's error code (success, or
// operation_aborted when the socket's operations are cancelled).
template <typename Fn>
class drained_wait final : public asio::detail::reactor_op {
  public:
    explicit drained_wait(Fn fn)
        : reactor_op(std::error_code(), &do_perform, &do_complete), fn_(std::move(fn)) {}
    drained_wait(const drained_wait&) = delete;
    drained_wait& operator=(const drained_wait&) = delete;
    ~drained_wait() = default;

    // Precondition: the last read of `socket` found it empty, and the event loop has not run
    // since, so no edge of its can have gone by unseen.
    void start(asio::ip::tcp::socket& socket) {
        ec_ = std::error_code();
        starting_ = true;
        auto& impl = socket_access::implementation(socket);
        auto& reactor = asio::use_service<asio::detail::reactor>(
            asio::query(socket.get_executor(), asio::execution::context));
        reactor.start_op(asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, this,
                         /*is_continuation=*/false, /*allow_speculative=*/true);
        starting_ = false;
    }

  private:
    // The socket's implementation (descriptor and reactor registration) is a protected member
    // of asio::basic_socket; a member pointer taken in a derived class reaches it.
    struct socket_access : asio::ip::tcp::socket {
        static auto& implementation(asio::ip::tcp::socket& socket) {
            return (socket.*(&socket_access::impl_)).get_implementation();
        }
    };

    // Inside start() the socket is known empty: not done, and no recv to find that out. From
    // the epoll event it is readable: done.
    static status do_perform(reactor_op* base) {
        return static_cast<drained_wait*>(base)->starting_ ? not_done : done;
    }

    static void do_complete(void* owner, asio::detail::operation* base, const std::error_code&,
                            std::size_t) {
        // No owner: the io_context is being destroyed with the wait queued. The op is a member
        // of its pump, not the scheduler's to free.
        if (owner == nullptr) return;
        auto* self = static_cast<drained_wait*>(base);
        self->fn_(self->ec_);
    }

    Fn fn_;
    bool starting_ = false;
};

}  // namespace pgroute::proxy::relay_detail
