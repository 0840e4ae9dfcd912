// What both sides of a SCRAM exchange share: a cursor over a message's attributes, "x=value"
// separated by commas (RFC 5802, section 7), and nonces. Each side phrases what it finds wrong in
// its own words: PostgreSQL's server texts for what a client sends, libpq's for what a node sends.
#pragma once

#include <string>
#include <string_view>

namespace pgroute::proxy::auth {

class scram_cursor {
  public:
    explicit scram_cursor(std::string_view message) : message_(message) {}

    // The character at the cursor, '\0' at the end (as in PostgreSQL's C strings; a message with a
    // NUL of its own is refused before it is read).
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return at_ + ahead < message_.size() ? message_[at_ + ahead] : '\0';
    }
    [[nodiscard]] bool at_end() const { return at_ == message_.size(); }
    void skip(std::size_t count = 1) { at_ += count; }

    // Precondition: the cursor is at "x=". Returns the value up to the next comma or the end and
    // moves past both.
    std::string_view take_value() {
        at_ += 2;
        const auto comma = message_.find(',', at_);
        const auto end = comma == std::string_view::npos ? message_.size() : comma;
        const auto value = message_.substr(at_, end - at_);
        at_ = comma == std::string_view::npos ? end : end + 1;
        return value;
    }

    [[nodiscard]] std::size_t offset() const { return at_; }
    [[nodiscard]] std::string_view read() const { return message_.substr(0, at_); }
    [[nodiscard]] std::string_view rest() const { return message_.substr(at_); }

  private:
    std::string_view message_;
    std::size_t at_ = 0;
};

// A peer's text fit for a message and a log line: at most max_length characters, anything not
// printable ASCII as '?', so that a peer cannot put arbitrary bytes into either.
[[nodiscard]] std::string sanitized(std::string_view text, std::size_t max_length);

// A fresh nonce: 18 random bytes in base64, as PostgreSQL and libpq make theirs.
[[nodiscard]] std::string random_scram_nonce();

}  // namespace pgroute::proxy::auth
