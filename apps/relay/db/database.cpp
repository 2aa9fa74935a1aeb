#include "db/database.hpp"

#include <filesystem>
#include <strata/sqlite.hpp>

namespace relay {

std::string_view to_string(dialect d) noexcept {
    return d == dialect::sqlite ? "sqlite" : "postgres";
}

namespace {
bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

strata::stack wrapped(strata::stack s, const database_options& o) {
    return o.wrap_stack ? o.wrap_stack(std::move(s)) : s;
}

// PostgreSQL decides at each COMMIT whether it waits for the WAL flush
// (synchronous_commit); relay sets it for its own sessions, whatever the server's
// default: on for --durability full, off for normal. Appended to the URL's libpq
// `options` (created when absent).
std::string with_synchronous_commit(const std::string& url, bool durable) {
    const std::string setting = std::string("-c%20synchronous_commit%3D") + (durable ? "on" : "off");
    const auto query = url.find('?');
    if (query == std::string::npos) return url + "?options=" + setting;
    for (auto at = query; at != std::string::npos; at = url.find('&', at + 1)) {
        if (url.compare(at + 1, 8, "options=") != 0) continue;
        const auto value_end = url.find('&', at + 1);
        const auto insert_at = value_end == std::string::npos ? url.size() : value_end;
        return url.substr(0, insert_at) + "%20" + setting + url.substr(insert_at);
    }
    return url + "&options=" + setting;
}
}  // namespace

std::unique_ptr<database> database::open(const std::string& url, const database_options& options) {
    auto telemetry = std::make_shared<strata::telemetry>();
    if (starts_with(url, "postgres://") || starts_with(url, "postgresql://")) {
        strata::postgres::url binding{with_synchronous_commit(url, options.durable), {}};
        binding.options.max_size = options.pool_size;
        binding.options.min_size = 1;
        auto pool = strata::postgres::make_pool(binding);  // fails here on bad credentials
        auto rt = strata::instantiate(wrapped(strata::postgres::make_stack({telemetry}), options));
        rt.connect(strata::postgres::pool_binding{pool});
        return std::unique_ptr<database>(
            new database(std::move(rt), dialect::postgres, telemetry, strata::redact_to_string(url), pool));
    }
    strata::binding parsed = strata::sqlite::parse_url(url);  // DRIVER.BINDING_INVALID for anything else
    auto rt = strata::instantiate(wrapped(strata::sqlite::make_stack({telemetry}), options));
    if (const auto* f = parsed.get_if<strata::sqlite::file>()) {
        strata::sqlite::file file = *f;
        // WAL either way; FULL syncs the WAL at every COMMIT, so a 201 is on disk.
        file.options.sync = options.durable ? strata::sqlite::synchronous::full : strata::sqlite::synchronous::normal;
        const auto parent = std::filesystem::path(file.path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        rt.connect(file);
    } else {
        rt.connect(parsed);
    }
    return std::unique_ptr<database>(
        new database(std::move(rt), dialect::sqlite, telemetry, parsed.describe(), nullptr));
}

database::database(strata::runtime rt, dialect d, std::shared_ptr<strata::telemetry> t, std::string description,
                   std::shared_ptr<strata::postgres::pool> pool)
    : runtime_(std::move(rt)),
      dialect_(d),
      telemetry_(std::move(t)),
      description_(std::move(description)),
      pool_(std::move(pool)) {}

database::~database() {
    close();
}

void database::close() {
    runtime_.close();
    if (pool_) pool_->close();
}

std::optional<strata::postgres::pool::stats> database::pool_statistics() const {
    if (!pool_) return std::nullopt;
    return pool_->statistics();
}

}  // namespace relay
