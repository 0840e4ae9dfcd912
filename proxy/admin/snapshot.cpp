#include "proxy/admin/snapshot.h"

namespace pgroute::proxy {

admin_snapshot admin_sources::take() const {
    return {std::chrono::system_clock::now(), sum_worker_metrics(workers_, cfg_.endpoints.size()),
            board_.read(), read_process_stats(), workers_.size()};
}

}  // namespace pgroute::proxy
