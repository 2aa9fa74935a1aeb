// Shared pieces of the SQLite benchmarks: a temporary directory, the row generator, and
// raw connections opened with exactly the settings strata applies to its own.
#pragma once

#include <sqlite3.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace strata_bench {

// The schema every side uses (point-select database and each insert database).
inline constexpr const char* create_items_sql =
    "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL NOT NULL)";

// Row i of the data set. Names are 19–20 bytes, past std::string's small-string buffer
// (15 bytes), as most real text is.
inline std::string item_name(std::int64_t i) {
    static constexpr const char* words[] = {"amber", "basalt", "cedar", "dune", "ember", "fjord", "garnet", "heath"};
    char buf[48];
    const int n = std::snprintf(buf, sizeof buf, "item-%08" PRId64 "-%s", i, words[i % 8]);
    return std::string(buf, static_cast<std::size_t>(n));
}
inline double item_score(std::int64_t i) { return static_cast<double>(i) * 0.25; }

[[noreturn]] inline void sqlite_fail(sqlite3* db, int rc, const char* what) {
    throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (" +
                             std::to_string(rc) + ")");
}

inline void exec(sqlite3* db, const char* sql) {
    if (const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK) sqlite_fail(db, rc, sql);
}

// Opens a raw connection the way strata's SQLite driver opens its own (see
// drivers/sqlite/src/sqlite_pool.cpp and sqlite_raw_connection.cpp, default settings):
// SQLITE_OPEN_NOMUTEX, extended result codes, busy_timeout 5000 ms, foreign_keys=ON, and
// for a writer synchronous=NORMAL + journal_mode=WAL. strata's read connections are
// read-only and leave synchronous/journal alone; `writer` = false mirrors that.
inline sqlite3* open_like_strata(const std::string& path, bool writer) {
    sqlite3* db = nullptr;
    const int flags = (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                      SQLITE_OPEN_NOMUTEX;
    if (const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr); rc != SQLITE_OK) {
        sqlite3_close_v2(db);
        sqlite_fail(nullptr, rc, "open");
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    exec(db, "PRAGMA foreign_keys=ON");
    if (writer) {
        exec(db, "PRAGMA synchronous=NORMAL");
        exec(db, "PRAGMA journal_mode=WAL");
    }
    return db;
}

inline sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr); rc != SQLITE_OK)
        sqlite_fail(db, rc, sql);
    return stmt;
}

// A private directory under $TMPDIR (or /tmp), removed with everything in it at exit.
class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "strata_bench_XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
        path_ = tmpl;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline temp_dir& bench_dir() {
    static temp_dir dir;
    return dir;
}

// Removes a database file with its WAL and shared-memory files.
inline void remove_database(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

}  // namespace strata_bench
