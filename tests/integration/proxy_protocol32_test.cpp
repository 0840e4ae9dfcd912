// Protocol 3.2 through pgroute, over raw sockets: against the real PostgreSQL 15 the tests start
// (which speaks 3.0 and answers a 3.2 StartupMessage with NegotiateProtocolVersion), and against
// a fake node for what no PostgreSQL here sends (a 32-byte key, a hostile one). The client must
// hear one negotiation, hold pgroute's key rather than the node's, and cancel with it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "protocol/cancel_key.h"
#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/protocol_version.h"
#include "tests/integration/fake_node.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;
using protocol::protocol_version;

constexpr std::uint32_t v3_0 = protocol_version(3, 0);
constexpr std::uint32_t v3_2 = protocol_version(3, 2);
const std::string pq_option = "_pq_.test_protocol_negotiation";

std::string login_packet(std::uint32_t version,
                         std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> parameters{
        {"user", std::string(superuser)}, {"database", std::string(test_database)}};
    parameters.insert(parameters.end(), extra.begin(), extra.end());
    return startup_packet(parameters, version);
}

std::vector<backend_message> of_type(const std::vector<backend_message>& messages, char type) {
    std::vector<backend_message> found;
    std::copy_if(messages.begin(), messages.end(), std::back_inserter(found),
                 [type](const backend_message& m) { return m.type == type; });
    return found;
}

// The one BackendKeyData among `messages`, read.
protocol::cancel_key key_among(const std::vector<backend_message>& messages) {
    const auto keys = of_type(messages, protocol::PqMsg_BackendKeyData);
    if (keys.size() != 1) throw std::runtime_error("not exactly one BackendKeyData");
    const auto key = protocol::read_backend_key_data(keys.front().body);
    if (!key) throw std::runtime_error("a malformed BackendKeyData reached the client");
    return *key;
}

// The one NegotiateProtocolVersion among `messages`, which must come first.
protocol::protocol_version_answer negotiation_among(const std::vector<backend_message>& messages) {
    const auto answers = of_type(messages, protocol::PqMsg_NegotiateProtocolVersion);
    if (answers.size() != 1 || messages.front().type != protocol::PqMsg_NegotiateProtocolVersion) {
        throw std::runtime_error("not exactly one NegotiateProtocolVersion, first");
    }
    const auto answer = protocol::parse_negotiate_protocol_version(messages.front().body);
    if (!answer) throw std::runtime_error("a malformed NegotiateProtocolVersion");
    return *answer;
}

class proxy_protocol32 : public shared_suite<proxied_cluster> {};

TEST_F(proxy_protocol32, A32ClientHearsTheNodesNegotiationAndCancelsWithPgroutesKey) {
    raw_client session(env().ports.write);
    session.send(login_packet(v3_2));
    const auto greeting = session.read_until_ready();
    const auto negotiated = negotiation_among(greeting);
    EXPECT_EQ(negotiated.newest_version, v3_0) << "PostgreSQL 15 speaks 3.0";
    EXPECT_TRUE(negotiated.unsupported_options.empty());
    const auto key = key_among(greeting);
    EXPECT_EQ(key.secret.size(), 4u) << "a 3.0 session gets a 3.0 key";

    session.send(query_message("SELECT pg_backend_pid()"));
    const auto pid = first_column(session.read_until_ready()[1].body);
    EXPECT_NE(std::to_string(key.process_id), pid) << "the client got the node's own key";

    const std::string sleep = "SELECT pg_sleep(60)";
    session.send(query_message(sleep));
    libpq_conn inspector = env().direct_to_primary();
    wait_until_running(inspector, sleep, "node");
    raw_client(env().ports.write).send(protocol::build_cancel_request(key));
    const auto columns = session.read_message(20s);  // sent as the sleep began
    ASSERT_TRUE(columns);
    EXPECT_EQ(columns->type, 'T');
    const auto error = session.read_error(20s);
    EXPECT_EQ(error.sqlstate, "57014") << error.message;  // query_canceled
}

TEST_F(proxy_protocol32, AClientAskingForMoreThan32AndOptionsHearsOneNegotiationNamingThem) {
    raw_client session(env().ports.write);
    session.send(login_packet(protocol_version(3, 9999), {{pq_option, "1"}}));
    const auto greeting = session.read_until_ready();
    const auto negotiated = negotiation_among(greeting);
    EXPECT_EQ(negotiated.newest_version, v3_0);
    EXPECT_EQ(negotiated.unsupported_options, std::vector<std::string_view>{pq_option});
    EXPECT_EQ(key_among(greeting).secret.size(), 4u);
}

TEST_F(proxy_protocol32, ACancelRequestOfAWrongLengthGetsAProtocolViolationAndOneLogLine) {
    for (const std::size_t secret_length : {2u, 257u}) {
        const auto before =
            occurrences(env().pgroute.log_text(), "invalid length of cancel request packet");
        raw_client client(env().ports.write);
        client.send(protocol::build_cancel_request({1, std::string(secret_length, '\x01')}));
        const auto error = client.read_error();
        EXPECT_EQ(error.sqlstate, "08P01") << secret_length;
        EXPECT_EQ(error.message, "invalid length of cancel request packet");
        EXPECT_TRUE(client.closes_without_more_data());
        wait_until(
            [&] {
                return occurrences(env().pgroute.log_text(),
                                   "invalid length of cancel request packet") > before;
            },
            5s, "pgroute logs the bad cancel request");
        EXPECT_EQ(occurrences(env().pgroute.log_text(), "invalid length of cancel request packet"),
                  before + 1);
    }
}

std::string authentication_ok() {
    return protocol::message_builder(protocol::PqMsg_Authentication).u32(0).finish();
}
std::string backend_key_data(std::uint32_t process_id, const std::string& secret) {
    return protocol::message_builder(protocol::PqMsg_BackendKeyData)
        .u32(process_id)
        .bytes(secret)
        .finish();
}
std::string ready_for_query() {
    return protocol::message_builder(protocol::PqMsg_ReadyForQuery).u8('I').finish();
}

// pgroute in static mode with a fake node as its only node.
struct fake_node_behind_pgroute {
    explicit fake_node_behind_pgroute(std::string answer) : node(std::move(answer)) {}

    fake_node node;
    proxy_ports ports = proxy_ports::pick();
    pgroute_process pgroute{static_config(node.port(), {node.port()}, ports.write, ports.read),
                            {ports.write, ports.read}};
};

const std::string node_secret(32, '\x5a');

TEST(proxy_fake_node32, ALongKeyReachesTheClientAsPgroutesOwnAndItsCancelReachesTheNode) {
    fake_node_behind_pgroute rig(authentication_ok() + backend_key_data(4242, node_secret) +
                                 ready_for_query());
    raw_client session(rig.ports.write);
    session.send(login_packet(v3_2));
    const auto greeting = session.read_until_ready();
    EXPECT_TRUE(of_type(greeting, protocol::PqMsg_NegotiateProtocolVersion).empty())
        << "the node took 3.2: there is nothing to negotiate";
    const auto key = key_among(greeting);
    EXPECT_EQ(key.secret.size(), 32u);
    EXPECT_NE(key.secret, node_secret) << "the client got the node's own key";
    EXPECT_EQ(rig.node.packet(0).substr(0, 4), std::string("\0\3\0\2", 4));

    raw_client(rig.ports.write).send(protocol::build_cancel_request(key));
    const auto cancel = rig.node.packet(1);
    EXPECT_EQ(cancel, protocol::build_cancel_request({4242, node_secret}).substr(4))
        << "the node gets its own key back";
}

TEST(proxy_fake_node32, ANewerVersionAndOptionsAreNegotiatedByPgrouteAndNeverReachTheNode) {
    fake_node_behind_pgroute rig(authentication_ok() + backend_key_data(4242, node_secret) +
                                 ready_for_query());
    raw_client session(rig.ports.write);
    session.send(login_packet(protocol_version(3, 9999), {{pq_option, "1"}}));
    const auto greeting = session.read_until_ready();
    const auto negotiated = negotiation_among(greeting);
    EXPECT_EQ(negotiated.newest_version, v3_2);
    EXPECT_EQ(negotiated.unsupported_options, std::vector<std::string_view>{pq_option});
    EXPECT_EQ(key_among(greeting).secret.size(), 32u);

    const std::string startup = rig.node.packet(0);
    EXPECT_EQ(startup.substr(0, 4), std::string("\0\3\0\2", 4)) << "the node is asked for 3.2";
    EXPECT_EQ(startup.find("_pq_."), std::string::npos) << "the node never sees the option";
    EXPECT_NE(startup.find(std::string("user\0", 5)), std::string::npos);
}

TEST(proxy_fake_node32, TheNodesNegotiationIsMergedWithTheOptionsPgrouteKeptFromIt) {
    const std::vector<std::string> none;
    fake_node_behind_pgroute rig(protocol::build_negotiate_protocol_version(v3_0, none) +
                                 authentication_ok() + backend_key_data(4242, "\1\2\3\4") +
                                 ready_for_query());
    raw_client session(rig.ports.write);
    session.send(login_packet(v3_2, {{pq_option, "1"}}));
    const auto greeting = session.read_until_ready();
    const auto negotiated = negotiation_among(greeting);
    EXPECT_EQ(negotiated.newest_version, v3_0);
    EXPECT_EQ(negotiated.unsupported_options, std::vector<std::string_view>{pq_option});
    EXPECT_EQ(key_among(greeting).secret.size(), 4u);
}

// A key the client must not get: longer than any protocol allows, or 3.2's length in a 3.0
// session. The session ends with 08P01 before it, and pgroute says why in one line.
TEST(proxy_fake_node32, AKeyTheSessionsVersionDoesNotAllowEndsItWithAProtocolViolation) {
    struct hostile_key {
        std::uint32_t client_version;
        std::size_t secret_length;
    };
    for (const auto [version, length] : {hostile_key{v3_2, 257}, hostile_key{v3_0, 32}}) {
        fake_node_behind_pgroute rig(authentication_ok() +
                                     backend_key_data(4242, std::string(length, '\x5a')) +
                                     ready_for_query());
        raw_client session(rig.ports.write);
        session.send(login_packet(version));
        const auto first = session.read_message();
        ASSERT_TRUE(first);
        EXPECT_EQ(first->type, protocol::PqMsg_Authentication);
        const auto error = session.read_error();
        EXPECT_EQ(error.sqlstate, "08P01");
        const std::string why = "BackendKeyData with a secret key of " + std::to_string(length) +
                                " bytes, which protocol " + (version == v3_0 ? "3.0" : "3.2") +
                                " does not allow";
        EXPECT_NE(error.message.find("invalid message from node \"primary\""), std::string::npos)
            << error.message;
        EXPECT_NE(error.message.find(why), std::string::npos) << error.message;
        EXPECT_TRUE(session.closes_without_more_data());
        wait_until([&] { return occurrences(rig.pgroute.log_text(), why) > 0; }, 5s,
                   "pgroute logs the refused key");
        EXPECT_EQ(occurrences(rig.pgroute.log_text(), why), 1u);
        rig.pgroute.stop();
    }
}

}  // namespace
}  // namespace pgroute::test_support
