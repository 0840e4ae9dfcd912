// The event backend's promise that a session's sockets are its own: cancelling an operation on one
// socket never completes an operation on another. The io_uring build once broke it (see
// proxy/net/asio_uring_sqe_fix.h): each cancel was submitted with the ring slot's stale user_data,
// so once the ring wrapped, a cancel's completion reached whichever socket had last used its slot.
#include <gtest/gtest.h>

#include <array>
#include <asio/io_context.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>
#include <optional>
#include <system_error>

namespace pgroute::proxy {
namespace {

using asio::local::stream_protocol;

struct socket_pair {
    explicit socket_pair(asio::io_context& io) : near(io), far(io) {
        asio::local::connect_pair(near, far);
    }
    stream_protocol::socket near;
    stream_protocol::socket far;
};

struct read_outcome {
    std::error_code error;
    std::size_t bytes = 0;
};

TEST(event_backend, CancellingReadsNeverCompletesAnUnrelatedRead) {
    asio::io_context io;

    // Reads that must wait until their peer writes. Two of them, in neighbouring ring slots, so
    // that whatever the alignment of the churn below, one of them shares slots with its cancels.
    std::array bystanders{socket_pair(io), socket_pair(io)};
    std::array<char, 1> bystander_buffers[2]{};
    std::optional<read_outcome> bystander_outcomes[2];
    for (std::size_t i = 0; i < bystanders.size(); ++i) {
        bystanders[i].near.async_read_some(
            asio::buffer(bystander_buffers[i]),
            [&outcome = bystander_outcomes[i]](std::error_code ec, std::size_t n) {
                outcome = read_outcome{ec, n};
            });
    }

    // Asio 1.22's ring has 16384 slots; a read and its cancel take two. Three times round it.
    constexpr int cycles = 3 * 16384 / 2;
    socket_pair churn(io);
    std::array<char, 1> churn_buffer{};
    int unexpected_churn_outcomes = 0;
    for (int cycle = 0; cycle < cycles; ++cycle) {
        bool done = false;
        churn.near.async_read_some(asio::buffer(churn_buffer),
                                   [&](std::error_code ec, std::size_t) {
                                       if (ec != asio::error::operation_aborted) {
                                           ++unexpected_churn_outcomes;
                                       }
                                       done = true;
                                   });
        churn.near.cancel();
        while (!done)
            io.run_one();
    }
    io.poll();
    EXPECT_EQ(unexpected_churn_outcomes, 0);
    for (const auto& outcome : bystander_outcomes) {
        EXPECT_FALSE(outcome.has_value())
            << "a read nobody wrote to completed: " << outcome->error.message() << ", "
            << outcome->bytes << " bytes";
    }

    // And the bystanders still get what is really sent to them.
    for (std::size_t i = 0; i < bystanders.size(); ++i) {
        if (bystander_outcomes[i]) continue;
        asio::write(bystanders[i].far, asio::buffer("x", 1));
        while (!bystander_outcomes[i])
            io.run_one();
        EXPECT_FALSE(bystander_outcomes[i]->error) << bystander_outcomes[i]->error.message();
        EXPECT_EQ(bystander_outcomes[i]->bytes, 1U);
        EXPECT_EQ(bystander_buffers[i][0], 'x');
    }
}

}  // namespace
}  // namespace pgroute::proxy
