// PostgreSQL: what robust commit (docs/decisions/0024-robust-commit.md) costs an atomic
// write unit — the same unit through run_atomic_writes with the lost-COMMIT check on
// (the default for units: the transaction id is taken in BEGIN's round trip,
// `BEGIN; SELECT pg_current_xact_id()`) and off (commit_check::report_unknown),
// interleaved in blocks inside one benchmark each (bench/common/interleave.hpp).
// Server: STRATA_PG_URL.
//
// pg_robust_commit/1_statement  — one INSERT: BEGIN, INSERT, COMMIT (the worst case: the
//                                 extra statement against the fewest others).
// pg_robust_commit/5_statements — the message-send unit of pg_write_unit (5 INSERTs).
// Each side has its own runtime (its own pool and backend) and its own tables of the same
// schema, and writes the same ids in the same round; row counts are checked at the end.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/interleave.hpp"
#include "strata/postgres.hpp"
#include "strata/strata.hpp"
#include "tx_common.hpp"

namespace strata_bench::tx {
namespace {

constexpr std::size_t block = 8;  // units per side per round
enum side : std::size_t { checked = 0, unchecked, sides };
constexpr const char* prefix[sides] = {"txb_rc_on", "txb_rc_off"};

struct robust_fixture {
    static robust_fixture& get() {
        static robust_fixture f;
        return f;
    }
    std::optional<strata::runtime> db[sides];
    std::optional<strata::sql_template> message[sides];
    std::optional<strata::sql_template> delivery[sides];
    std::int64_t next = 1;

private:
    robust_fixture() {
        const char* url = std::getenv("STRATA_PG_URL");
        if (url == nullptr || *url == '\0') throw std::runtime_error("STRATA_PG_URL is not set");
        for (std::size_t s = 0; s < sides; ++s) {
            db[s].emplace(strata::instantiate(strata::postgres::make_stack()));
            db[s]->connect(strata::postgres::url{url});
            const std::string p(prefix[s]);
            for (const std::string& ddl :
                 {"DROP TABLE IF EXISTS " + p + "_messages, " + p + "_deliveries",
                  "CREATE TABLE " + p + "_messages(id BIGINT PRIMARY KEY, channel BIGINT NOT NULL, body TEXT NOT NULL)",
                  "CREATE TABLE " + p +
                      "_deliveries(message_id BIGINT NOT NULL, recipient BIGINT NOT NULL, "
                      "PRIMARY KEY (message_id, recipient))"})
                db[s]->execute(strata::sql(ddl)).drain();
            message[s].emplace("INSERT INTO " + p + "_messages(id, channel, body) VALUES (?, ?, ?)");
            delivery[s].emplace("INSERT INTO " + p + "_deliveries(message_id, recipient) VALUES (?, ?)");
        }
    }
};

std::vector<strata::plan> unit_plans(robust_fixture& f, std::size_t s, std::int64_t id, int statements) {
    std::vector<strata::plan> out;
    out.push_back(f.message[s]->bind(id, id % 10, unit_body()));
    for (std::int64_t r = 1; r < statements; ++r) out.push_back(f.delivery[s]->bind(id, r));
    return out;
}

[[gnu::noinline]] void run_block(robust_fixture& f, std::size_t s, std::int64_t first, int statements) {
    strata::atomic_options o;
    o.transaction.check_commit = s == checked ? strata::commit_check::resolve : strata::commit_check::report_unknown;
    for (std::size_t k = 0; k < block; ++k) {
        const std::int64_t id = first + static_cast<std::int64_t>(k);
        (void)strata::run_atomic_writes(*f.db[s], unit_plans(f, s, id, statements), o);
    }
}

void robust_commit(benchmark::State& state) {
    robust_fixture& f = robust_fixture::get();
    const int statements = static_cast<int>(state.range(0));
    interleaver<sides> il;
    const std::int64_t start = f.next;
    for (auto _ : state) {
        const std::int64_t first = f.next;
        il.round([&](std::size_t s) { run_block(f, s, first, statements); });
        f.next += static_cast<std::int64_t>(block);
    }
    for (std::size_t s = 0; s < sides; ++s) {
        const auto n = f.db[s]
                           ->execute(strata::sql("SELECT COUNT(*) FROM " + std::string(prefix[s]) + "_messages"))
                           .one_as<std::int64_t>();
        if (n != f.next - 1) {
            state.SkipWithError("row counts differ between the sides");
            return;
        }
    }
    const double n = static_cast<double>(f.next - start);
    state.SetItemsProcessed(static_cast<std::int64_t>(n * double{sides}));
    state.counters["checked_us"] = il.seconds(checked) / n * 1e6;
    state.counters["unchecked_us"] = il.seconds(unchecked) / n * 1e6;
    state.counters["checked/unchecked"] = il.median_ratio(checked, unchecked);
    state.counters["sum_checked/unchecked"] = il.sum_ratio(checked, unchecked);
}

}  // namespace

void register_robust_commit(int repetitions) {
    for (const int statements : {1, 5}) {
        auto* b = benchmark::RegisterBenchmark(
            statements == 1 ? "pg_robust_commit/1_statement" : "pg_robust_commit/5_statements", robust_commit);
        b->Arg(statements)->Iterations(rounds(192, 2))->DisplayAggregatesOnly(true)->Unit(benchmark::kMillisecond);
        if (repetitions > 0) b->Repetitions(repetitions);
    }
}

}  // namespace strata_bench::tx
