#include "proxy/app/upgrade_handover.h"

#include <charconv>

namespace pgroute::proxy {

namespace {

std::string joined(const std::vector<int>& fds) {
    std::string out;
    for (const int fd : fds)
        out += (out.empty() ? "" : ",") + std::to_string(fd);
    return out;
}

}  // namespace

std::optional<int> decode_descriptor(std::string_view text) {
    int fd = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), fd);
    if (error != std::errc{} || end != text.data() + text.size() || fd < 0) return std::nullopt;
    return fd;
}

std::string encode_handover(const handover& h) {
    std::string out = "ready=" + std::to_string(h.ready_fd) + ";listeners=" + joined(h.listeners);
    if (h.admin) out += ";admin=" + std::to_string(*h.admin);
    return out;
}

std::optional<handover> decode_handover(std::string_view text) {
    handover out;
    bool has_ready = false;
    for (bool more = !text.empty(); more;) {
        const auto end = text.find(';');
        const std::string_view field = text.substr(0, end);
        more = end != std::string_view::npos;
        text = more ? text.substr(end + 1) : std::string_view{};
        const auto equals = field.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        const std::string_view key = field.substr(0, equals);
        std::string_view value = field.substr(equals + 1);
        if (key == "ready") {
            const auto fd = decode_descriptor(value);
            if (!fd || has_ready) return std::nullopt;
            out.ready_fd = *fd;
            has_ready = true;
        } else if (key == "admin") {
            const auto fd = decode_descriptor(value);
            if (!fd || out.admin) return std::nullopt;
            out.admin = *fd;
        } else if (key == "listeners") {
            while (!value.empty()) {
                const auto comma = value.find(',');
                const auto fd = decode_descriptor(value.substr(0, comma));
                if (!fd) return std::nullopt;
                out.listeners.push_back(*fd);
                value =
                    comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
            }
        } else {
            return std::nullopt;
        }
    }
    if (!has_ready) return std::nullopt;
    return out;
}

}  // namespace pgroute::proxy
