// Everything the admin pages show, taken at request time on the admin thread: the workers'
// counters summed, the health board's last report and this process's own figures.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "proxy/admin/health_board.h"
#include "proxy/config/config.h"
#include "proxy/metrics/counters.h"
#include "proxy/metrics/process_stats.h"
#include "proxy/metrics/totals.h"

namespace pgroute::proxy {

struct admin_snapshot {
    std::chrono::system_clock::time_point taken_at;
    metrics_totals totals;
    health_report health;
    process_stats process;
    std::size_t worker_threads = 0;
};

// Where snapshots come from. Everything referenced must outlive the admin listener.
class admin_sources {
  public:
    admin_sources(std::shared_ptr<const config> cfg, std::vector<const worker_metrics*> workers,
                  const health_board& board)
        : cfg_(std::move(cfg)), workers_(std::move(workers)), board_(board) {}

    [[nodiscard]] admin_snapshot take() const;
    // Thread-safe: the config the pages describe, the last one a reload applied. Its endpoints
    // are always those the workers count for (a reload keeps them).
    [[nodiscard]] std::shared_ptr<const config> cfg() const;
    void set_config(std::shared_ptr<const config> cfg);
    [[nodiscard]] const health_board& board() const { return board_; }

  private:
    mutable std::mutex cfg_lock_;
    std::shared_ptr<const config> cfg_;
    std::vector<const worker_metrics*> workers_;
    const health_board& board_;
};

}  // namespace pgroute::proxy
