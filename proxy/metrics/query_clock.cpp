#include "proxy/metrics/query_clock.h"

#include "protocol/message_type.h"

namespace pgroute::proxy {

bool starts_query_cycle(char frontend_message_type) {
    return frontend_message_type == protocol::PqMsg_Query ||
           frontend_message_type == protocol::PqMsg_Sync ||
           frontend_message_type == protocol::PqMsg_FunctionCall;
}

void query_clock::cycle_sent(clock::time_point now) {
    if (timed_ == max_timed_in_flight || untimed_ > 0) {
        ++untimed_;
        return;
    }
    sent_[(oldest_ + timed_) % max_timed_in_flight] = now;
    ++timed_;
}

void query_clock::ready_for_query(protocol::transaction_status status, clock::time_point now) {
    if (timed_ > 0) {
        observe_query_duration(counters_, now - sent_[oldest_]);
        oldest_ = (oldest_ + 1) % max_timed_in_flight;
        --timed_;
    } else if (untimed_ > 0) {
        --untimed_;
    } else {
        return;
    }
    counters_.queries.add();
    // As PgBouncer counts them: a cycle that leaves the session idle ended a transaction,
    // an implicit one (a lone statement) or an explicit one (COMMIT, ROLLBACK).
    if (status == protocol::transaction_status::idle) counters_.transactions.add();
}

}  // namespace pgroute::proxy
