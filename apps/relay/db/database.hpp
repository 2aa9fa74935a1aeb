// The database relay runs on: a strata runtime bound to SQLite (a file) or PostgreSQL
// (a pool relay owns, so /metrics can report its use), with telemetry middleware.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <strata/postgres.hpp>
#include <strata/strata.hpp>
#include <string>

namespace relay {

enum class dialect { sqlite, postgres };
[[nodiscard]] std::string_view to_string(dialect d) noexcept;

struct database_options {
    std::size_t pool_size = 16;
    // SQLite files: synchronous=FULL (true) or NORMAL. PostgreSQL: relay's sessions run
    // with synchronous_commit on (true) or off.
    bool durable = true;
    // Tests wrap the driver (hide capabilities, inject failures); identity by default.
    std::function<strata::stack(strata::stack)> wrap_stack{};
};

class database {
public:
    // Opens `url` (sqlite:PATH, sqlite::memory:, postgres://...). For SQLite files the
    // parent folder is created. Throws strata::error (DRIVER.*) when it cannot connect.
    [[nodiscard]] static std::unique_ptr<database> open(const std::string& url, const database_options& options = {});
    ~database();

    [[nodiscard]] const strata::runtime& rt() const noexcept { return runtime_; }
    [[nodiscard]] dialect kind() const noexcept { return dialect_; }
    [[nodiscard]] const strata::telemetry& telemetry() const noexcept { return *telemetry_; }
    // Redacted description (no password): what logs print.
    [[nodiscard]] const std::string& description() const noexcept { return description_; }
    [[nodiscard]] std::optional<strata::postgres::pool::stats> pool_statistics() const;
    // The PostgreSQL pool (nullptr on SQLite): what a notification listener connects with.
    [[nodiscard]] const strata::postgres::pool* pool() const noexcept { return pool_.get(); }
    void close();

private:
    database(strata::runtime rt, dialect d, std::shared_ptr<strata::telemetry> t, std::string description,
             std::shared_ptr<strata::postgres::pool> pool);
    strata::runtime runtime_;
    dialect dialect_;
    std::shared_ptr<strata::telemetry> telemetry_;
    std::string description_;
    std::shared_ptr<strata::postgres::pool> pool_;
};

}  // namespace relay
