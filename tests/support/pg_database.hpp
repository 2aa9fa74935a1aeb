// PostgreSQL for tests: the cluster scripts/pg started (STRATA_PG_URL), a fresh schema
// per test, and raw libpq connections for what a test does behind strata's back.
#pragma once

#include <libpq-fe.h>

#include <string>

namespace strata::test {

// STRATA_PG_URL. When it is missing the current test is marked skipped — or failed when
// STRATA_REQUIRE_PG=1, so CI can never skip PostgreSQL silently. Returns "" then; call
// it from SetUp() (gtest then does not run the test body).
[[nodiscard]] std::string pg_url_or_skip();
// The same for another variable (STRATA_PG_URL_2, STRATA_PG_REPLICA_URL, ...).
[[nodiscard]] std::string pg_env_url_or_skip(const std::string& variable);

// `url` with `key=value` added as a URL query parameter (value percent-encoded).
[[nodiscard]] std::string pg_url_with(const std::string& url, const std::string& key, const std::string& value);

// A raw connection; throws std::runtime_error (without the URL) when it fails.
[[nodiscard]] PGconn* pg_connect(const std::string& url);
// Runs SQL on a raw connection; throws std::runtime_error on failure. Returns the first
// value of the first row ("" if none).
std::string pg_exec(PGconn* conn, const std::string& sql);

// A schema of its own on the test cluster, dropped at the end: url() connects with it
// as the search_path, so every test sees an empty database.
class pg_schema {
public:
    explicit pg_schema(std::string base_url);
    pg_schema(const pg_schema&) = delete;
    pg_schema& operator=(const pg_schema&) = delete;
    ~pg_schema();
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    [[nodiscard]] const std::string& base_url() const noexcept { return base_url_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    // Runs SQL as the admin connection (outside strata).
    std::string exec(const std::string& sql) { return pg_exec(admin_, sql); }

private:
    std::string base_url_;
    std::string name_;
    std::string url_;
    PGconn* admin_ = nullptr;
};

}  // namespace strata::test
