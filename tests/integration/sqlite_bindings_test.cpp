// SQLite bindings: files with open options, in-memory, caller-owned handles, settings,
// and a coded error for every bad binding.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "../support/expect_error.hpp"
#include "../support/temp_dir.hpp"
#include "strata/sqlite.hpp"
#include "strata/strata.hpp"

namespace strata::test {
namespace {

std::string pragma(runtime& rt, const std::string& name) {
    return rt.execute(sql("PRAGMA " + name)).one().at(0).to_display();
}

error binding_error(const binding& b) {
    auto rt = instantiate(sqlite::make_stack());
    auto e = catch_error([&] { rt.connect(b); });
    if (!e) throw std::runtime_error("expected a binding error");
    EXPECT_EQ(rt.state(), driver_state::unbound);
    return *e;
}

TEST(sqlite_bindings, instantiate_creates_no_file_until_connect) {
    temp_dir dir;
    const auto path = dir.file("lazy.db");
    auto rt = instantiate(sqlite::make_stack());
    EXPECT_FALSE(std::filesystem::exists(path));
    rt.connect(sqlite::file{path});
    EXPECT_TRUE(std::filesystem::exists(path));
    rt.close();
}

TEST(sqlite_bindings, default_settings_are_applied) {
    temp_dir dir;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{dir.file("s.db")});
    EXPECT_EQ(pragma(rt, "journal_mode"), "wal");
    EXPECT_EQ(pragma(rt, "foreign_keys"), "1");
    EXPECT_EQ(pragma(rt, "synchronous"), "1");  // NORMAL
    // busy_timeout has no PRAGMA to show: strata's busy handler (which also honours
    // deadlines) replaces SQLite's, so PRAGMA busy_timeout reads 0. Its bound is tested
    // in sqlite_concurrency_test.cpp.
    rt.close();
}

TEST(sqlite_bindings, settings_are_configurable) {
    temp_dir dir;
    sqlite::settings s;
    s.journal = sqlite::journal_mode::delete_;
    s.foreign_keys = false;
    s.sync = sqlite::synchronous::full;
    s.busy_timeout = std::chrono::milliseconds(250);
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{dir.file("s.db"), sqlite::open_mode::read_write_create, s});
    EXPECT_EQ(pragma(rt, "journal_mode"), "delete");
    EXPECT_EQ(pragma(rt, "foreign_keys"), "0");
    EXPECT_EQ(pragma(rt, "synchronous"), "2");
    rt.close();
}

TEST(sqlite_bindings, open_modes) {
    temp_dir dir;
    const auto path = dir.file("modes.db");
    auto rt = instantiate(sqlite::make_stack());
    // read_write does not create
    auto e = catch_error([&] { rt.connect(sqlite::file{path, sqlite::open_mode::read_write}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECT_FAILED");
    EXPECT_EQ(e->details().at("binding"), "sqlite:" + path);
    EXPECT_EQ(rt.state(), driver_state::unbound);
    rt.connect(sqlite::file{path});
    rt.execute(sql("CREATE TABLE t(x INTEGER)")).drain();
    rt.execute(sql("INSERT INTO t VALUES (1)")).drain();
    rt.close();
    // read_only reads and refuses writes with a coded error
    rt.connect(sqlite::file{path, sqlite::open_mode::read_only});
    EXPECT_EQ(rt.execute(sql("SELECT x FROM t")).one_as<int>(), 1);
    e = catch_error([&] { rt.execute(sql("INSERT INTO t VALUES (2)")).drain(); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql()->sqlstate, "25006");
    rt.close();
}

TEST(sqlite_bindings, a_file_that_is_not_a_database) {
    temp_dir dir;
    const auto path = dir.file("junk.db");
    { std::FILE* f = std::fopen(path.c_str(), "wb"); std::fputs("this is not an sqlite database, just text......", f); std::fclose(f); }
    auto rt = instantiate(sqlite::make_stack());
    auto e = catch_error([&] { rt.connect(sqlite::file{path}); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "DRIVER.CONNECT_FAILED");
    EXPECT_EQ(rt.state(), driver_state::unbound);
}

TEST(sqlite_bindings, bad_bindings_have_coded_errors_naming_the_field) {
    struct sqlite_case {
        binding b;
        std::string field;
    };
    sqlite::settings too_many_readers;
    too_many_readers.max_readers = 1000;
    sqlite::settings negative_timeout;
    negative_timeout.busy_timeout = std::chrono::milliseconds(-1);
    sqlite::settings huge_cache;
    huge_cache.statement_cache_size = 1'000'000;
    sqlite::settings huge_cap;
    huge_cap.max_page_count = 4294967295u;
    const std::vector<sqlite_case> cases = {
        {sqlite::file{""}, "path"},
        {sqlite::file{std::string("a\0b", 3)}, "path"},
        {sqlite::handle{nullptr}, "db"},
        {sqlite::file{"x.db", sqlite::open_mode::read_write_create, too_many_readers}, "max_readers"},
        {sqlite::memory{negative_timeout}, "busy_timeout"},
        {sqlite::memory{huge_cache}, "statement_cache_size"},
        {sqlite::memory{huge_cap}, "max_page_count"},
    };
    for (const auto& c : cases) {
        const error e = binding_error(c.b);
        EXPECT_EQ(e.code(), "DRIVER.BINDING_INVALID") << c.field;
        EXPECT_EQ(e.details().at("field"), c.field);
    }
}

TEST(sqlite_bindings, urls) {
    EXPECT_NE(sqlite::parse_url("sqlite::memory:").get_if<sqlite::memory>(), nullptr);
    EXPECT_EQ(sqlite::parse_url("sqlite:./a.db").get_if<sqlite::file>()->path, "./a.db");
    EXPECT_EQ(sqlite::parse_url("sqlite:///tmp/a.db").get_if<sqlite::file>()->path, "/tmp/a.db");
    // A userinfo is refused (the fuzz target found it kept as a path and printed back).
    for (const char* bad :
         {"postgres://bob:s3cret@h/db", "sqlite:", "sqlite:a.db?key=s3cret", "mysql://x", "sqlite://bob:s3cret@host/a.db",
          "file://bob:s3cret@host/a.db", "sqlite:a.db?max_page_count=s3cret", "sqlite:a.db?max_page_count=0",
          "sqlite:a.db?max_page_count=4294967295", "sqlite:a.db?max_page_count=10&key=s3cret",
          "sqlite:a.db?max_page_count=", "sqlite:?max_page_count=10"}) {
        auto e = catch_error([&] { (void)sqlite::parse_url(bad); });
        ASSERT_TRUE(e) << bad;
        EXPECT_EQ(e->code(), "DRIVER.BINDING_INVALID");
        EXPECT_EQ(std::string(e->what()).find("s3cret"), std::string::npos) << e->what();
    }
}

TEST(sqlite_bindings, a_url_may_cap_the_database_size) {
    const binding f = sqlite::parse_url("sqlite:./a.db?max_page_count=100");
    ASSERT_NE(f.get_if<sqlite::file>(), nullptr);
    EXPECT_EQ(f.get_if<sqlite::file>()->path, "./a.db");
    EXPECT_EQ(f.get_if<sqlite::file>()->options.max_page_count, 100u);
    const binding m = sqlite::parse_url("sqlite::memory:?max_page_count=7");
    ASSERT_NE(m.get_if<sqlite::memory>(), nullptr);
    EXPECT_EQ(m.get_if<sqlite::memory>()->options.max_page_count, 7u);
    EXPECT_EQ(sqlite::parse_url("sqlite:./a.db").get_if<sqlite::file>()->options.max_page_count, 0u);  // no cap
}

// A database at its size cap (max_page_count, how a full disk looks to SQLite): the write
// that does not fit fails with SQLSTATE 53100 and leaves nothing of its unit, what was
// committed before stays, reads go on, and the writer connection keeps working.
TEST(sqlite_bindings, a_full_database_refuses_the_write_and_keeps_the_rest) {
    temp_dir dir;
    const auto path = dir.file("full.db");
    {
        auto setup = instantiate(sqlite::make_stack());
        setup.connect(sqlite::file{path});
        setup.execute(sql("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)")).drain();
        setup.close();
    }
    sqlite::settings capped;
    capped.max_page_count = 40;  // 160 KiB with 4 KiB pages
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{path, sqlite::open_mode::read_write_create, capped});
    EXPECT_EQ(pragma(rt, "max_page_count"), "40");
    const std::string blob(3000, 'x');
    int stored = 0;
    std::optional<error> full;
    for (int i = 0; i < 200 && !full; ++i) {
        full = catch_error([&] {
            (void)run_atomic_writes(rt, {sql("INSERT INTO t(id, body) VALUES (?, ?)", 2 * i, blob),
                                         sql("INSERT INTO t(id, body) VALUES (?, ?)", 2 * i + 1, blob)});
        });
        if (!full) stored += 2;
    }
    ASSERT_TRUE(full) << "200 units of 6 KB fitted in 40 pages";
    ASSERT_TRUE(full->sql()) << full->describe();
    EXPECT_EQ(full->sql()->sqlstate, "53100") << full->describe();
    EXPECT_FALSE(full->transient());
    EXPECT_GT(stored, 0);
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), stored);  // nothing of the failed unit
    // The writer still works: a write that frees space, then one that fits in it.
    rt.execute(sql("DELETE FROM t WHERE id = 0")).drain();
    rt.execute(sql("INSERT INTO t(id, body) VALUES (?, ?)", -1, std::string(100, 'y'))).drain();
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), stored);
    rt.close();
    // The cap belongs to the connection, not to the file: without it the file grows again.
    rt.connect(sqlite::file{path});
    rt.execute(sql("INSERT INTO t(id, body) VALUES (?, ?)", 100000, blob)).drain();
    EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), stored + 1);
    rt.close();
}

TEST(sqlite_bindings, a_caller_owned_handle_is_used_and_never_closed) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (41)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    {
        auto rt = instantiate(sqlite::make_stack());
        rt.connect(sqlite::handle{raw});
        EXPECT_EQ(rt.execute(sql("SELECT x + 1 FROM t")).one_as<int>(), 42);
        rt.execute(sql("INSERT INTO t VALUES (?)", 7)).drain();
        rt.close();
        rt.connect(sqlite::handle{raw});  // reconnect to the same handle
        EXPECT_EQ(rt.execute(sql("SELECT COUNT(*) FROM t")).one_as<int>(), 2);
    }  // runtime destroyed while connected: still must not close the handle
    EXPECT_EQ(sqlite3_exec(raw, "INSERT INTO t VALUES (8)", nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_next_stmt(raw, nullptr), nullptr);  // strata finalized its statements
    EXPECT_EQ(sqlite3_close(raw), SQLITE_OK);             // so the owner can close cleanly
}

TEST(sqlite_bindings, the_statement_cache_is_a_bounded_lru) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
    sqlite::settings s;
    s.statement_cache_size = 4;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::handle{raw, false, s});
    auto cached = [&] {
        int n = 0;
        for (sqlite3_stmt* st = sqlite3_next_stmt(raw, nullptr); st; st = sqlite3_next_stmt(raw, st)) ++n;
        return n;
    };
    for (int i = 0; i < 10; ++i) (void)rt.execute(sql("SELECT " + std::to_string(i))).all();
    EXPECT_EQ(cached(), 4);
    for (int round = 0; round < 3; ++round)
        for (int i = 6; i < 10; ++i) (void)rt.execute(sql("SELECT " + std::to_string(i))).all();
    EXPECT_EQ(cached(), 4);  // reused, not re-prepared
    rt.close();
    EXPECT_EQ(cached(), 0);
    sqlite3_close(raw);
}

TEST(sqlite_bindings, a_cached_statement_follows_schema_changes) {
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::memory{});
    rt.execute(sql("CREATE TABLE t(a INTEGER)")).drain();
    rt.execute(sql("INSERT INTO t VALUES (1)")).drain();
    const sql_template all("SELECT * FROM t");
    EXPECT_EQ(rt.execute(all.bind()).one().size(), 1u);
    rt.execute(sql("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")).drain();
    const row r = rt.execute(all.bind()).one();  // same cached statement, re-prepared by SQLite
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r.get<std::string>("b"), "x");
}

// A cached statement remembers the plan text it last ran for, and finds it again by that
// identity. Templates made and dropped in turn (a new one may reuse the old one's
// memory) and distinct templates with equal text must each run their own SQL.
TEST(sqlite_bindings, cached_statements_are_found_for_the_right_plan_text) {
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::memory{});
    for (int i = 0; i < 200; ++i) {
        const sql_template t(i % 2 == 0 ? "SELECT ? + 1" : "SELECT ? + 2");
        EXPECT_EQ(rt.execute(t.bind(10)).one_as<int>(), i % 2 == 0 ? 11 : 12) << "round " << i;
    }
    const sql_template twice("SELECT ? * 2"), same_text("SELECT ? * 2"), other("SELECT ? * 3");
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(rt.execute(twice.bind(i)).one_as<int>(), i * 2);
        EXPECT_EQ(rt.execute(same_text.bind(i)).one_as<int>(), i * 2);
        EXPECT_EQ(rt.execute(other.bind(i)).one_as<int>(), i * 3);
    }
    // Two streams of one template at once: the second gets its own statement.
    auto first = rt.execute(twice.bind(1));
    auto second = rt.execute(twice.bind(2));
    auto a = first.begin();
    auto b = second.begin();
    EXPECT_EQ(a->get<int>(0), 2);
    EXPECT_EQ(b->get<int>(0), 4);
}

// WAL readers go back to the pool after every read (the last one through a lock-free
// slot) and are shared by threads; close() closes them all, reconnecting opens anew.
TEST(sqlite_bindings, readers_are_reused_across_threads_and_closed_on_close) {
    temp_dir dir;
    const auto path = dir.file("readers.db");
    sqlite::settings s;
    s.max_readers = 2;
    auto rt = instantiate(sqlite::make_stack());
    rt.connect(sqlite::file{path, sqlite::open_mode::read_write_create, s});
    rt.execute(sql("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")).drain();
    const sql_template insert("INSERT INTO t(id, name) VALUES (?, ?)");
    for (int i = 1; i <= 100; ++i) rt.execute(insert.bind(i, "n" + std::to_string(i))).drain();
    const sql_template by_id("SELECT name FROM t WHERE id = ?");
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                const int id = (i * 7 + t) % 100 + 1;
                if (rt.execute(by_id.bind(id)).one_as<std::string>() != "n" + std::to_string(id)) ++wrong;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    auto open_stream = rt.execute(sql("SELECT id FROM t ORDER BY id"));
    auto it = open_stream.begin();
    EXPECT_EQ(it->get<int>(0), 1);
    rt.close();
    EXPECT_STRATA_ERROR(++it, "DRIVER.CLOSED");
    rt.connect(sqlite::file{path, sqlite::open_mode::read_write_create, s});
    EXPECT_EQ(rt.execute(by_id.bind(42)).one_as<std::string>(), "n42");
    rt.close();
}

}  // namespace
}  // namespace strata::test
