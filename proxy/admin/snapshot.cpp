#include "proxy/admin/snapshot.h"

namespace pgroute::proxy {

admin_snapshot admin_sources::take() const {
    return {std::chrono::system_clock::now(), sum_worker_metrics(workers_, cfg()->endpoints.size()),
            board_.read(), read_process_stats(), workers_.size()};
}

std::shared_ptr<const config> admin_sources::cfg() const {
    const std::lock_guard hold(cfg_lock_);
    return cfg_;
}

void admin_sources::set_config(std::shared_ptr<const config> cfg) {
    const std::lock_guard hold(cfg_lock_);
    cfg_ = std::move(cfg);
}

}  // namespace pgroute::proxy
