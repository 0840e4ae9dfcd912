// Two pgroute instances side by side in front of one cluster, as behind DNS or an L4 balancer
// (peering): a client's CancelRequest that reaches the instance not holding its session is sent
// on to the one that does, and cancels there; keys nobody holds are dropped, and a request one
// peer sent on is never sent further.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "protocol/cancel_key.h"
#include "protocol/message_type.h"
#include "tests/integration/proxy_test_cluster.h"
#include "tests/integration/proxy_test_libpq.h"
#include "tests/integration/proxy_test_raw_client.h"
#include "tests/support/text_file.h"
#include "tests/support/wait.h"

namespace pgroute::test_support {
namespace {

using namespace std::chrono_literals;

std::string peering_yaml(unsigned id, unsigned peer_id, std::uint16_t peer_port) {
    return "peering:\n  id: " + std::to_string(id) +
           "\n  peers:\n    - {id: " + std::to_string(peer_id) +
           ", address: \"127.0.0.1:" + std::to_string(peer_port) + "\"}\n";
}

// Instance 1 and instance 2, each listing the other.
struct peered_pair {
    pg_cluster cluster;
    proxy_ports one_ports = proxy_ports::pick();
    proxy_ports two_ports = proxy_ports::pick();
    pgroute_process one{cluster_config(cluster, one_ports, peering_yaml(1, 2, two_ports.write)),
                        {one_ports.write, one_ports.read}};
    pgroute_process two{cluster_config(cluster, two_ports, peering_yaml(2, 1, one_ports.write)),
                        {two_ports.write, two_ports.read}};
};

class proxy_peering : public shared_suite<peered_pair> {
  protected:
    void TearDown() override {
        if (HasFailure()) {
            std::cout << "instance 1's log:\n"
                      << env().one.log_text() << "instance 2's log:\n"
                      << env().two.log_text();
        }
    }

    // Waits until `pgroute` logs one more line holding `text` than it had (`before`).
    static void wait_for_line(const pgroute_process& pgroute, const std::string& text,
                              std::size_t before) {
        wait_until([&] { return occurrences(pgroute.log_text(), text) > before; }, 10s,
                   "pgroute logs \"" + text + "\"");
    }
};

TEST_F(proxy_peering, ACancelSentToTheOtherInstanceCancelsTheQueryWhereItRuns) {
    raw_client session(env().one_ports.write);
    session.send(startup_packet(
        {{"user", std::string(superuser)}, {"database", std::string(test_database)}}));
    const auto greeting = session.read_until_ready();
    std::optional<protocol::cancel_key> key;
    for (const auto& message : greeting) {
        if (message.type == protocol::PqMsg_BackendKeyData)
            key = protocol::read_backend_key_data(message.body);
    }
    ASSERT_TRUE(key);
    EXPECT_EQ(key->process_id >> 24, 1u) << "instance 1's key names instance 1";

    const std::string sleep = "SELECT pg_sleep(60)";
    session.send(query_message(sleep));
    libpq_conn inspector(env().cluster.conninfo(pg_node::primary));
    wait_until_running(inspector, sleep, "node");
    const std::string sent_on = "cancel request forwarded to pgroute instance 1 (127.0.0.1:" +
                                std::to_string(env().one_ports.write) + ")";
    const std::string delivered = "cancel request (from a peer) forwarded to node \"primary\"";
    const auto sent_on_before = occurrences(env().two.log_text(), sent_on);
    const auto delivered_before = occurrences(env().one.log_text(), delivered);
    raw_client(env().two_ports.write).send(protocol::build_cancel_request(*key));
    const auto columns = session.read_message(20s);
    ASSERT_TRUE(columns);
    EXPECT_EQ(columns->type, 'T');
    const auto error = session.read_error(20s);
    EXPECT_EQ(error.sqlstate, "57014") << error.message;  // query_canceled
    // Each instance logs once its own send is done, which may be after the query's error
    // reached the client.
    wait_for_line(env().two, sent_on, sent_on_before);
    wait_for_line(env().one, delivered, delivered_before);
}

TEST_F(proxy_peering, AForgedKeyIsSentToItsInstanceAndDroppedThereAndAnUnknownInstancesAtOnce) {
    const std::string dropped_there = "cancel request (from a peer) dropped: no live session";
    const auto before = occurrences(env().one.log_text(), dropped_there);
    raw_client(env().two_ports.write)
        .send(protocol::build_cancel_request({0x01abcdef, "\x01\x02\x03\x04"}));
    wait_for_line(env().one, dropped_there, before);

    const std::string not_a_peer = "dropped: the key is of pgroute instance 9, which is not among";
    const auto unknown_before = occurrences(env().one.log_text(), not_a_peer);
    raw_client(env().one_ports.read)
        .send(protocol::build_cancel_request({0x09000001, "\x01\x02\x03\x04"}));
    wait_for_line(env().one, not_a_peer, unknown_before);
}

// Instance 1 is handed, as if by a peer, a key that names instance 2: it looks among its own
// keys and stops there, rather than sending it back (two instances whose ids disagree would
// otherwise pass it to and fro for ever).
TEST_F(proxy_peering, ARequestAPeerSentOnIsNeverSentFurther) {
    const std::string dropped = "cancel request (from a peer) dropped: no live session";
    const auto before = occurrences(env().one.log_text(), dropped);
    const auto two_before = occurrences(env().two.log_text(), "cancel request");
    raw_client(env().one_ports.write)
        .send(protocol::build_cancel_request({0x02000001, "\x01\x02\x03\x04"}, true));
    // Dropped after a lookup among its own keys is the other branch of sending it on: once this
    // line is there, instance 2 cannot be sent it any more.
    wait_for_line(env().one, dropped, before);
    EXPECT_EQ(occurrences(env().two.log_text(), "cancel request"), two_before);
}

}  // namespace
}  // namespace pgroute::test_support
