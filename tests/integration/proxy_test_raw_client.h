// A PostgreSQL client over a bare TCP socket, for tests that must send what libpq never would
// (garbage, absurd lengths, one byte at a time) and see exactly which bytes come back.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "protocol/byte_reader.h"
#include "protocol/error_response.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "tests/support/unique_fd.h"

namespace pgroute::test_support {

struct backend_message {
    char type = 0;
    std::string body;
};

// A StartupMessage for protocol `version` with the given parameters, in order.
[[nodiscard]] inline std::string startup_packet(
    const std::vector<std::pair<std::string, std::string>>& parameters,
    std::uint32_t version = protocol::protocol_version(3, 0)) {
    protocol::message_builder packet;
    packet.u32(version);
    for (const auto& [name, value] : parameters)
        packet.cstring(name).cstring(value);
    return std::move(packet.u8(0)).finish();
}

// SSLRequest or GSSENCRequest: a length and a code, nothing else.
[[nodiscard]] inline std::string negotiation_request(std::uint32_t code) {
    protocol::message_builder request;
    request.u32(code);
    return std::move(request).finish();
}

[[nodiscard]] inline std::string query_message(std::string_view sql) {
    protocol::message_builder query(protocol::PqMsg_Query);
    query.cstring(sql);
    return std::move(query).finish();
}

// Only the 5-byte header of a typed message, claiming any length: what a hostile client sends.
[[nodiscard]] inline std::string message_header(char type, std::uint32_t length) {
    std::string header(1, type);
    for (int shift = 24; shift >= 0; shift -= 8)
        header.push_back(static_cast<char>(length >> shift));
    return header;
}

[[nodiscard]] inline std::string terminate_message() {
    return protocol::message_builder(protocol::PqMsg_Terminate).finish();
}

// The text of the first column of a DataRow body, or nullopt for NULL.
[[nodiscard]] inline std::optional<std::string> first_column(std::string_view data_row) {
    protocol::byte_reader reader(data_row);
    const unsigned high = reader.u8();  // the column count is an int16
    const unsigned columns = (high << 8) | reader.u8();
    const auto length = reader.i32();
    if (reader.failed() || columns == 0) throw std::runtime_error("DataRow without a column");
    if (length < 0) return std::nullopt;
    const auto value = reader.bytes(static_cast<std::size_t>(length));
    if (reader.failed()) throw std::runtime_error("DataRow shorter than its column");
    return std::string(value);
}

class raw_client {
  public:
    explicit raw_client(std::uint16_t port)
        : socket_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket") {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) !=
            0) {
            throw std::system_error(errno, std::generic_category(),
                                    "connect to 127.0.0.1:" + std::to_string(port));
        }
        // Each send leaves as its own segment, so a byte-at-a-time client really is one.
        const int on = 1;
        ::setsockopt(socket_.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(socket_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "send");
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // One send per byte with a pause between, so the proxy sees every byte in its own read.
    void send_one_byte_at_a_time(std::string_view bytes) {
        for (const char byte : bytes) {
            send(std::string_view(&byte, 1));
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    // Exactly `count` bytes; nullopt if the peer closes (or resets) first; throws on timeout.
    [[nodiscard]] std::optional<std::string> read_exactly(
        std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string out(count, '\0');
        std::size_t filled = 0;
        while (filled < count) {
            wait_readable(deadline);
            const ssize_t n = ::recv(socket_.get(), out.data() + filled, count - filled, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n == 0 || (n < 0 && errno == ECONNRESET)) return std::nullopt;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "recv");
            filled += static_cast<std::size_t>(n);
        }
        return out;
    }

    // The next typed message; nullopt if the peer closes first; throws on timeout.
    [[nodiscard]] std::optional<backend_message> read_message(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto header = read_exactly(protocol::frame_header_size, timeout);
        if (!header) return std::nullopt;
        const auto length = protocol::load_u32(header->data() + 1);
        if (length < 4 || length > max_test_message) {
            throw std::runtime_error("implausible message length " + std::to_string(length));
        }
        auto body = read_exactly(length - 4, timeout);
        if (!body) throw std::runtime_error("connection closed inside a message");
        return backend_message{(*header)[0], std::move(*body)};
    }

    // True when the peer closes (EOF or reset) within `timeout` without sending anything more.
    [[nodiscard]] bool closes_without_more_data(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return !read_exactly(1, timeout).has_value();
    }

    // True when the peer closes (EOF or reset) within `timeout`, after at most `max_bytes` more
    // bytes, which are discarded.
    [[nodiscard]] bool closes_after_at_most(
        std::size_t max_bytes, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string sink(std::size_t{64} * 1024, '\0');
        for (std::size_t received = 0; received <= max_bytes;) {
            wait_readable(deadline);
            const ssize_t n = ::recv(socket_.get(), sink.data(), sink.size(), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
            if (n < 0) throw std::system_error(errno, std::generic_category(), "recv");
            received += static_cast<std::size_t>(n);
        }
        return false;
    }

    // The socket itself, for a test that speaks TLS on it after pgroute answered 'S'.
    [[nodiscard]] int native_handle() const { return socket_.get(); }

    // True when no byte arrives (and the peer does not close) for `quiet`.
    [[nodiscard]] bool receives_nothing_within(std::chrono::milliseconds quiet) const {
        pollfd readable{socket_.get(), POLLIN, 0};
        return ::poll(&readable, 1, static_cast<int>(quiet.count())) == 0;
    }

    // Reads messages up to ReadyForQuery and returns them all (the 'Z' last). An ErrorResponse
    // on the way is a failure of the test's premise, reported with its text.
    std::vector<backend_message> read_until_ready(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::vector<backend_message> messages;
        for (int i = 0; i < max_messages_before_ready; ++i) {
            auto message = read_message(timeout);
            if (!message) throw std::runtime_error("closed before ReadyForQuery");
            if (message->type == protocol::PqMsg_ErrorResponse) {
                const auto error = protocol::parse_error_response(message->body);
                throw std::runtime_error("unexpected error: " +
                                         (error ? error->sqlstate + " " + error->message : "?"));
            }
            messages.push_back(std::move(*message));
            if (messages.back().type == protocol::PqMsg_ReadyForQuery) return messages;
        }
        throw std::runtime_error("no ReadyForQuery among the first messages");
    }

    // The ErrorResponse that must come next, parsed; throws if anything else comes.
    [[nodiscard]] protocol::parsed_error read_error(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto message = read_message(timeout);
        if (!message) throw std::runtime_error("closed without an ErrorResponse");
        if (message->type != protocol::PqMsg_ErrorResponse) {
            throw std::runtime_error(std::string("expected an ErrorResponse, got '") +
                                     message->type + "'");
        }
        auto error = protocol::parse_error_response(message->body);
        if (!error) throw std::runtime_error("malformed ErrorResponse");
        return std::move(*error);
    }

  private:
    static constexpr std::uint32_t max_test_message = 64u << 20;
    static constexpr int max_messages_before_ready = 1000;

    void wait_readable(std::chrono::steady_clock::time_point deadline) const {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) throw std::runtime_error("timed out waiting for the proxy");
            pollfd readable{socket_.get(), POLLIN, 0};
            const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
            if (ready > 0) return;
            if (ready < 0 && errno != EINTR) {
                throw std::system_error(errno, std::generic_category(), "poll");
            }
        }
    }

    unique_fd socket_;
};

}  // namespace pgroute::test_support
