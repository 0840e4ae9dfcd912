// haproxy.cfg split as HAProxy splits it, and the lines it cannot split.
#include "proxy/migrate/haproxy_parser.h"

#include <gtest/gtest.h>

#include <variant>

#include "proxy/migrate/haproxy_values.h"

namespace pgroute::proxy::migrate {
namespace {

using namespace std::chrono_literals;

haproxy_config parse_ok(std::string_view text) {
    auto parsed = parse_haproxy(text);
    if (const auto* error = std::get_if<migrate_error>(&parsed)) {
        ADD_FAILURE() << "line " << error->line << ": " << error->message;
        return {};
    }
    return std::get<haproxy_config>(std::move(parsed));
}

migrate_error parse_error(std::string_view text) {
    auto parsed = parse_haproxy(text);
    if (auto* error = std::get_if<migrate_error>(&parsed)) return *error;
    ADD_FAILURE() << "parsed, expected an error";
    return {};
}

TEST(haproxy_parser, sections_hold_their_directives_with_line_numbers) {
    const auto config = parse_ok("global\n  maxconn 10\n\nlisten db\n  bind *:5551\n");
    ASSERT_EQ(config.sections.size(), 2u);
    EXPECT_EQ(config.sections[0].kind, section_kind::global);
    EXPECT_EQ(config.sections[1].kind, section_kind::listen);
    EXPECT_EQ(config.sections[1].name, "db");
    EXPECT_EQ(config.sections[1].line, 4u);
    ASSERT_EQ(config.sections[1].directives.size(), 1u);
    EXPECT_EQ(config.sections[1].directives[0].line, 5u);
    EXPECT_EQ(config.sections[1].directives[0].words, (std::vector<std::string>{"bind", "*:5551"}));
}

TEST(haproxy_parser, comments_quotes_and_escapes_are_undone) {
    const auto config = parse_ok(
        "listen a # trailing comment\n"
        "  option httpchk GET /primary HTTP/1.1\\r\\nHost:\\ x\n"
        "  description \"two words\" 'single # kept' back\\#slash\r\n");
    const auto& directives = config.sections[0].directives;
    ASSERT_EQ(directives.size(), 2u);
    EXPECT_EQ(directives[0].words.back(), "HTTP/1.1\r\nHost: x");
    EXPECT_EQ(directives[1].words, (std::vector<std::string>{"description", "two words",
                                                             "single # kept", "back#slash"}));
}

TEST(haproxy_parser, old_listen_with_an_address_is_a_bind) {
    const auto config = parse_ok("listen db 0.0.0.0:5551\n");
    ASSERT_EQ(config.sections[0].directives.size(), 1u);
    EXPECT_EQ(config.sections[0].directives[0].text(), "bind 0.0.0.0:5551");
}

TEST(haproxy_parser, an_open_quote_names_its_line) {
    const auto error = parse_error("listen a\n  bind \"*:5551\n");
    EXPECT_EQ(error.line, 2u);
    EXPECT_NE(error.message.find("unterminated double quote"), std::string::npos);
}

TEST(haproxy_parser, a_directive_before_any_section_is_an_error) {
    const auto error = parse_error("# header\n  bind *:5551\n");
    EXPECT_EQ(error.line, 2u);
    EXPECT_NE(error.message.find("before any section"), std::string::npos);
}

TEST(haproxy_parser, a_proxy_section_needs_a_name) {
    EXPECT_EQ(parse_error("global\nbackend\n").line, 2u);
}

TEST(haproxy_parser, control_characters_and_bad_escapes_are_errors) {
    EXPECT_NE(parse_error("listen a\n bind \x01:1\n").message.find("control character 0x01"),
              std::string::npos);
    EXPECT_EQ(parse_error("listen a\n bind x\\").line, 2u);
    EXPECT_NE(parse_error("listen a\n x \\xZZ\n").message.find("two hex digits"),
              std::string::npos);
}

TEST(haproxy_values, times_default_to_milliseconds_and_take_haproxy_units) {
    EXPECT_EQ(*parse_haproxy_time("3s"), 3s);
    EXPECT_EQ(*parse_haproxy_time("1500"), 1500ms);
    EXPECT_EQ(*parse_haproxy_time("30m"), 30min);
    EXPECT_EQ(*parse_haproxy_time("1h"), 1h);
    EXPECT_EQ(*parse_haproxy_time("1d"), 24h);
    EXPECT_EQ(*parse_haproxy_time("10us"), 1ms);  // rounds up, never to zero
    EXPECT_FALSE(parse_haproxy_time("3 s"));
    EXPECT_FALSE(parse_haproxy_time("fast"));
    EXPECT_FALSE(parse_haproxy_time("99999999999d"));
}

TEST(haproxy_values, bind_addresses) {
    EXPECT_EQ((*parse_bind_address("*:5551")).host, "0.0.0.0");
    EXPECT_EQ((*parse_bind_address(":5551")).port, 5551);
    EXPECT_EQ((*parse_bind_address("10.0.0.5:5551")).host, "10.0.0.5");
    EXPECT_EQ((*parse_bind_address("[::]:5551")).host, "::");
    EXPECT_EQ((*parse_bind_address("ipv6@:::5551")).host, "::");
    EXPECT_EQ((*parse_bind_address("ipv4@127.0.0.1:5551")).host, "127.0.0.1");
    EXPECT_FALSE(parse_bind_address("/run/pg.sock"));
    EXPECT_FALSE(parse_bind_address("unix@/run/pg.sock"));
    EXPECT_FALSE(parse_bind_address("*:5551-5559"));
    EXPECT_FALSE(parse_bind_address("*:0"));
    EXPECT_FALSE(parse_bind_address("*"));
}

TEST(haproxy_values, server_addresses) {
    const auto db = *parse_server_address("db1:5431");
    EXPECT_EQ(db.host, "db1");
    EXPECT_EQ(db.port, 5431);
    EXPECT_FALSE((*parse_server_address("db1")).port);
    EXPECT_EQ((*parse_server_address("[fd00::1]:5432")).host, "fd00::1");
    EXPECT_FALSE(parse_server_address("db1:+1"));
    EXPECT_FALSE(parse_server_address("db\"1:5432"));
    // A host with a colon is an IPv6 address or nothing (fuzz_migrate_haproxy's first find: it
    // was written out as a YAML key).
    EXPECT_FALSE(parse_server_address("db2fd00::"));
}

TEST(haproxy_values, check_uri_query) {
    const auto uri = parse_check_uri("/replica?lag=1MB&replication_state=streaming");
    EXPECT_EQ(uri.path, "/replica");
    ASSERT_EQ(uri.query.size(), 2u);
    EXPECT_EQ(uri.query[0], (std::pair<std::string, std::string>{"lag", "1MB"}));
    EXPECT_EQ(uri.query[1].first, "replication_state");
}

}  // namespace
}  // namespace pgroute::proxy::migrate
