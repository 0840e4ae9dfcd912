#include "proxy/session/session_admission.h"

namespace pgroute::proxy {

bool session_admission::admit() {
    ++running_;
    if (client_count_.fetch_add(1) < max_clients_) return true;
    client_count_.fetch_sub(1);
    return false;
}

void session_admission::session_ended() {
    client_count_.fetch_sub(1);
    --running_;
}

void session_admission::refusal_delivered() {
    --running_;
}

std::string session_admission::next_session_id() {
    return std::to_string(worker_index_) + "-" + std::to_string(++sessions_numbered_);
}

}  // namespace pgroute::proxy
