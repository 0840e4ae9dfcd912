// Parsing the StartupMessage a JDBC client sends: once per connection, so it bounds how fast
// pgroute can accept connections rather than how fast it relays.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <variant>

#include "protocol/message_builder.h"
#include "protocol/message_type.h"
#include "protocol/startup.h"

namespace pgroute::bench {
namespace {

// The body after the length word, with the parameters pgjdbc 42 sends.
std::string jdbc_startup_body() {
    protocol::message_builder msg;
    msg.u32(protocol::protocol_version(3, 0));
    msg.cstring("user").cstring("app_user");
    msg.cstring("database").cstring("orders");
    msg.cstring("client_encoding").cstring("UTF8");
    msg.cstring("DateStyle").cstring("ISO");
    msg.cstring("TimeZone").cstring("Europe/Paris");
    msg.cstring("extra_float_digits").cstring("2");
    msg.cstring("application_name").cstring("PostgreSQL JDBC Driver");
    msg.u8(0);
    return std::move(msg).finish().substr(4);
}

void BM_parse_startup_message(benchmark::State& state) {
    const std::string body = jdbc_startup_body();
    for (auto _ : state) {
        auto packet = protocol::parse_startup_packet(body);
        if (!std::holds_alternative<protocol::startup_packet>(packet)) {
            state.SkipWithError("the benchmark's StartupMessage was rejected");
            break;
        }
        benchmark::DoNotOptimize(packet);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_parse_startup_message);

}  // namespace
}  // namespace pgroute::bench
