#include "proxy/auth/userlist.h"

#include <algorithm>
#include <optional>

#include "proxy/auth/crypto.h"

namespace pgroute::proxy::auth {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Passwords are read straight into their entries, which never move (the vector is reserved for a
// line each), so no copy of a clear-text password is left behind unwiped.
void wipe(std::vector<userlist_entry>& entries) {
    for (auto& entry : entries)
        cleanse(entry.password);
}

class userlist_reader {
  public:
    explicit userlist_reader(std::string_view text) : text_(text) {}

    // Skips blank space, line ends and comment lines; false at the end of the text.
    bool next_entry() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == ';') {
                skip_line();
            } else if (is_space(c)) {
                if (c == '\n') ++line_;
                ++at_;
            } else {
                return true;
            }
        }
        return false;
    }

    void skip_blanks() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t'))
            ++at_;
    }
    void skip_line() {
        const auto end = text_.find('\n', at_);
        at_ = end == std::string_view::npos ? text_.size() : end;
    }
    [[nodiscard]] bool at_quote() const { return at_ < text_.size() && text_[at_] == '"'; }

    // Reads a double-quoted field into out; false when the line or text ends before it does.
    bool read_quoted(std::string& out) {
        const auto line_end = std::min(text_.find('\n', at_), text_.size());
        out.reserve(line_end - at_);  // never outgrown: no reallocation leaves a copy behind
        for (++at_; at_ < line_end; ++at_) {
            if (text_[at_] != '"') {
                out.push_back(text_[at_]);
            } else if (at_ + 1 < line_end && text_[at_ + 1] == '"') {
                out.push_back('"');
                ++at_;
            } else {
                ++at_;
                return true;
            }
        }
        return false;
    }

    [[nodiscard]] std::size_t line() const { return line_; }

  private:
    std::string_view text_;
    std::size_t at_ = 0;
    std::size_t line_ = 1;
};

std::optional<std::string> check_entry(const userlist_entry& entry) {
    if (entry.user.empty()) return "empty user name";
    if (entry.user.size() > userlist_max_user_length) return "user name longer than 127 bytes";
    if (entry.password.size() > userlist_max_password_length)
        return "password longer than 65530 bytes";
    return std::nullopt;
}

}  // namespace

result<std::vector<userlist_entry>, userlist_error> parse_userlist(std::string_view text) {
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        const auto line = std::count(text.begin(), text.begin() + nul, '\n') + 1;
        return userlist_error{static_cast<std::size_t>(line), "NUL byte in the file"};
    }
    std::vector<userlist_entry> entries;
    entries.reserve(std::count(text.begin(), text.end(), '\n') + 1);
    userlist_reader reader(text);
    const auto fail = [&](std::string message) {
        wipe(entries);
        return userlist_error{reader.line(), std::move(message)};
    };
    while (reader.next_entry()) {
        auto& entry = entries.emplace_back();
        entry.line = reader.line();
        if (!reader.at_quote()) return fail("expected a user name in double quotes");
        if (!reader.read_quoted(entry.user)) return fail("the user name has no closing quote");
        reader.skip_blanks();
        if (!reader.at_quote())
            return fail("expected a password in double quotes after the user name");
        if (!reader.read_quoted(entry.password)) return fail("the password has no closing quote");
        if (auto problem = check_entry(entry)) return fail(std::move(*problem));
        reader.skip_line();  // further fields, as PgBouncer ignores them
    }
    return entries;
}

result<userlist, userlist_error> load_userlist(std::string& text) {
    auto parsed = parse_userlist(text);
    cleanse(text);
    if (!parsed) return parsed.error();
    auto entries = std::move(parsed).value();
    userlist users;
    for (const auto& entry : entries) {
        const auto password = parse_stored_password(entry.password);
        if (!password) {
            const userlist_error error{entry.line, password.error().message};
            wipe(entries);
            return error;
        }
        users.insert_or_assign(entry.user, make_verifier(entry.user, *password));
    }
    wipe(entries);
    return users;
}

}  // namespace pgroute::proxy::auth
