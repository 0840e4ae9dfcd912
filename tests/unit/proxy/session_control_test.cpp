#include <gtest/gtest.h>

#include "proxy/routing/session_registry.h"

namespace pgroute::proxy {
namespace {

struct counting_interrupt final : session_interrupt {
    void interrupt() override { ++interrupts; }
    int interrupts = 0;
};

cut_order leader_changed() {
    return {cut_reason::leader_changed, "node \"pg1\" is no longer the leader", false};
}

TEST(session_control, ACutInterruptsTheRelayAtOnce) {
    counting_interrupt relay;
    session_control control;
    control.relay = &relay;
    control.order_cut(leader_changed());
    EXPECT_TRUE(control.cut_due());
    EXPECT_EQ(relay.interrupts, 1);
}

// The node will end the kept statement (its shutdown's FATAL: run again elsewhere) or answer
// it (then the session is idle and moves): cut at once, the statement could do neither.
TEST(session_control, WithAStatementKeptTheCutWaitsForIdle) {
    counting_interrupt relay;
    session_control control;
    control.relay = &relay;
    control.statement_kept = true;
    control.order_cut(leader_changed());
    EXPECT_TRUE(control.cut->when_idle);
    EXPECT_FALSE(control.cut_due());
    EXPECT_EQ(relay.interrupts, 0);
    control.idle = true;
    EXPECT_TRUE(control.cut_due());
}

}  // namespace
}  // namespace pgroute::proxy
