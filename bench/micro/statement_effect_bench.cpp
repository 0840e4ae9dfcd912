// What proxy mode pays per Query to know what it leaves in the session: the word look alone for
// most statements, PostgreSQL's parser for the few whose words may change the session.
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

#include "proxy/statement/statement_effect.h"

namespace pgroute::bench {
namespace {

constexpr std::array<std::string_view, 5> statements{
    // pgbench's select-only and tpcb statements: no session word, no parse
    "SELECT abalance FROM pgbench_accounts WHERE aid = 48213;",
    // SET in UPDATE does not lead a statement: no parse
    "UPDATE pgbench_accounts SET abalance = abalance + -2781 WHERE aid = 48213;",
    // a driver's session setup: one change
    "SET application_name = 'billing-worker-7'",
    // three statements, two changes
    "SET search_path = app, public; SET statement_timeout = '5s'; SELECT 1",
    // pins
    "CREATE TEMP TABLE scratch (id bigint PRIMARY KEY, payload jsonb)",
};

void BM_statement_effect(benchmark::State& state) {
    const std::string_view sql = statements.at(static_cast<std::size_t>(state.range(0)));
    state.SetLabel(std::string(sql.substr(0, 40)));
    for (auto _ : state) {
        auto effect = proxy::statement_effect_of(sql);
        benchmark::DoNotOptimize(effect);
    }
}
BENCHMARK(BM_statement_effect)->DenseRange(0, statements.size() - 1);

}  // namespace
}  // namespace pgroute::bench
