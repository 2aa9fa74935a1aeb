// Split stores vs one database (issue 7): the same reads through strata::split over two
// SQLite files (legacy + new) and directly on one file holding the same rows, interleaved
// in blocks (bench/common/interleave.hpp).
//   - read by id, new-shaped: the split asks the new store only (goal: no more than one store);
//   - read by id, legacy-shaped: the new store, then the legacy replica (two reads);
//   - a history page of 50 across both stores vs the same page on one database (goal ≤ 2×).
//   build/release/bench/strata_bench_split
#include <benchmark/benchmark.h>

#include <array>
#include <ctime>
#include <filesystem>
#include <random>

#include "../common/interleave.hpp"
#include "strata/split.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace {

namespace split = strata::split;

// Thread CPU time per side, beside the interleaver's wall clock. SQLite does all its work
// on the calling thread (the files stay in the page cache), so on a machine shared with
// other jobs CPU time shows the work each side does without the time it waits for a core.
template <std::size_t N>
struct cpu_meter {
    std::array<double, N> seconds{};
    static double now() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    template <class F>
    void measure(std::size_t side, F&& run) {
        const double t0 = now();
        run();
        seconds[side] += now() - t0;
    }
    [[nodiscard]] double ratio(std::size_t a, std::size_t b) const { return seconds[a] / seconds[b]; }
};
constexpr std::int64_t per_store = 20000;
constexpr std::size_t block = 128;
constexpr std::int64_t page_size = 50;

const std::string create_messages =
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL, created_at INTEGER NOT NULL, "
    "body TEXT NOT NULL)";
const std::string create_index = "CREATE INDEX messages_channel_time ON messages (channel_id, created_at, id)";

strata::runtime open(const std::filesystem::path& file) {
    auto db = strata::instantiate(strata::sqlite::make_stack());
    db.connect(strata::sqlite::file{file.string()});
    return db;
}

struct fixture {
    std::filesystem::path dir = fresh_dir();
    strata::runtime legacy = open(dir / "legacy.db");
    strata::runtime replica = open(dir / "legacy.db");
    strata::runtime fresh = open(dir / "new.db");
    strata::runtime single = open(dir / "single.db");
    std::optional<split::topology> topo;
    std::vector<std::int64_t> legacy_ids, fresh_ids;
    std::vector<split::key> page_starts;  // keys to start pages after

    fixture() {
        for (auto* db : {&legacy, &fresh, &single}) {
            db->execute(strata::sql(create_messages)).drain();
            db->execute(strata::sql(create_index)).drain();
        }
        static const strata::sql_template insert(
            "INSERT INTO messages (id, channel_id, created_at, body) VALUES (?, 1, ?, ?)");
        split::int64_ids gen(1);
        std::mt19937_64 rng(7);
        const std::int64_t t0 = 1'790'000'000'000;
        legacy.transaction([&](strata::tx& lt) {
            fresh.transaction([&](strata::tx& ft) {
                single.transaction([&](strata::tx& st) {
                    for (std::int64_t i = 0; i < 2 * per_store; ++i) {
                        const std::int64_t at = t0 + i;
                        const bool is_new = rng() % 2 == 0;
                        const std::int64_t id = is_new ? gen.mint(at) : ((at - split::int64_ids::epoch_ms) << 22) | 1;
                        const std::string body = "message body number " + std::to_string(i);
                        (is_new ? ft : lt).execute(insert.bind(id, at, body)).drain();
                        st.execute(insert.bind(id, at, body)).drain();
                        (is_new ? fresh_ids : legacy_ids).push_back(id);
                        if (i % 97 == 0 && i > 2 * page_size)
                            page_starts.push_back({strata::value(at), strata::value(id)});
                    }
                });
            });
        });
        topo.emplace(
            split::topology::boot({.enabled = true,
                                   .legacy = {legacy, split::role::primary, "legacy"},
                                   .legacy_replica = split::store{replica, split::role::read_replica, "legacy-replica"},
                                   .fresh = split::store{fresh, split::role::primary, "new"}}));
        if (!topo->split()) throw std::runtime_error(topo->decision().reason);
        std::shuffle(legacy_ids.begin(), legacy_ids.end(), rng);
        std::shuffle(fresh_ids.begin(), fresh_ids.end(), rng);
        std::shuffle(page_starts.begin(), page_starts.end(), rng);
    }
    static std::filesystem::path fresh_dir() {
        const auto d = std::filesystem::temp_directory_path() / "strata-bench-split";
        std::filesystem::remove_all(d);
        std::filesystem::create_directories(d);
        return d;
    }
    ~fixture() {
        for (auto* db : {&legacy, &replica, &fresh, &single}) db->close();
        std::filesystem::remove_all(dir);
    }
};

fixture& the_fixture() {
    static fixture f;
    return f;
}

const strata::sql_template by_id("SELECT id, created_at, body FROM messages WHERE id = ?");

void read_by_id(benchmark::State& state, bool fresh_shape) {
    fixture& f = the_fixture();
    const auto& ids = fresh_shape ? f.fresh_ids : f.legacy_ids;
    strata_bench::interleaver<2> il;
    cpu_meter<2> cpu;
    std::size_t pos = 0;
    std::int64_t found[2] = {0, 0};
    for (auto _ : state) {
        il.round([&](std::size_t side) {
            cpu.measure(side, [&] {
                for (std::size_t k = 0; k < block; ++k) {
                    const std::int64_t id = ids[(pos + k) % ids.size()];
                    if (side == 0) {
                        found[0] += f.single.execute(by_id.bind(id)).first().has_value();
                    } else {
                        found[1] +=
                            f.topo->read_by_id(id, by_id.bind(id), split::read_consistency::replica_ok).has_value();
                    }
                }
            });
        });
        pos = (pos + block) % ids.size();
    }
    if (found[0] != found[1]) state.SkipWithError("the two sides found different rows");
    state.counters["split/one_db"] = il.median_ratio(1, 0);
    state.counters["sum_split/one_db"] = il.sum_ratio(1, 0);
    state.counters["cpu_split/one_db"] = cpu.ratio(1, 0);
}

strata::plan page_plan(const std::optional<split::key>& after, std::int64_t limit) {
    static const strata::sql_template first(
        "SELECT id, created_at, body FROM messages WHERE channel_id = 1 ORDER BY created_at DESC, id DESC LIMIT ?");
    static const strata::sql_template next(
        "SELECT id, created_at, body FROM messages WHERE channel_id = 1 AND (created_at, id) < (?, ?) "
        "ORDER BY created_at DESC, id DESC LIMIT ?");
    if (!after) return first.bind(limit);
    const std::int64_t t = *after->created_at.get_if<std::int64_t>();
    return next.bind(t, *after->id.get_if<std::int64_t>(), limit);
}

void history_page(benchmark::State& state) {
    fixture& f = the_fixture();
    // Sides: 0 one database; 1 split::list over both stores; 2 the same two queries run
    // directly, without the merge (how much of side 1 is the second query).
    strata_bench::interleaver<3> il;
    cpu_meter<3> cpu;
    std::size_t pos = 0;
    std::int64_t rows[3] = {0, 0, 0};
    constexpr std::size_t pages = 16;
    for (auto _ : state) {
        il.round([&](std::size_t side) {
            cpu.measure(side, [&] {
                for (std::size_t k = 0; k < pages; ++k) {
                    const split::key& start = f.page_starts[(pos + k) % f.page_starts.size()];
                    if (side == 0) {
                        // One database: the page plus one row to know whether more follow.
                        rows[0] += static_cast<std::int64_t>(std::min<std::size_t>(
                            f.single.execute(page_plan(start, page_size + 1)).all().size(), page_size));
                    } else if (side == 1) {
                        split::list_request req{.order = split::direction::newest_first, .limit = page_size};
                        req.after = start;
                        rows[1] += static_cast<std::int64_t>(split::list(*f.topo, req, page_plan).rows.size());
                    } else {
                        const auto a = f.fresh.execute(page_plan(start, page_size + 1)).all().size();
                        const auto b = f.replica.execute(page_plan(start, page_size + 1)).all().size();
                        rows[2] += static_cast<std::int64_t>(std::min<std::size_t>(a + b, page_size));
                    }
                }
            });
        });
        pos = (pos + pages) % f.page_starts.size();
    }
    if (rows[0] != rows[1] || rows[0] != rows[2]) state.SkipWithError("the sides returned different pages");
    state.counters["split/one_db"] = il.median_ratio(1, 0);
    state.counters["sum_split/one_db"] = il.sum_ratio(1, 0);
    state.counters["two_queries/one_db"] = il.median_ratio(2, 0);
    state.counters["cpu_split/one_db"] = cpu.ratio(1, 0);
    state.counters["cpu_two_queries/one_db"] = cpu.ratio(2, 0);
}

}  // namespace

BENCHMARK_CAPTURE(read_by_id, new_shaped, true)->MinTime(1.0)->UseRealTime();
BENCHMARK_CAPTURE(read_by_id, legacy_shaped, false)->MinTime(1.0)->UseRealTime();
BENCHMARK(history_page)->MinTime(1.0)->UseRealTime();
BENCHMARK_MAIN();
