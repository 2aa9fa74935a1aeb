#include "schema/schema.hpp"

#include <spdlog/spdlog.h>

namespace relay::schema {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string lower_types(std::string ddl, dialect d) {
    // SQLite: INTEGER PRIMARY KEY is the rowid (FTS5 content_rowid needs it); both
    // hold 64-bit integers.
    ddl = replace_all(std::move(ddl), "{pk}", d == dialect::sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY");
    return replace_all(std::move(ddl), "{bigint}", d == dialect::sqlite ? "INTEGER" : "BIGINT");
}

}  // namespace

std::vector<migration> migrations(dialect d) {
    migration v1{1, {}};
    for (auto& ddl : detail::common_tables_v1()) v1.statements.push_back(strata::sql(lower_types(ddl, d)));
    for (auto& p : d == dialect::sqlite ? detail::sqlite_extras_v1() : detail::postgres_extras_v1())
        v1.statements.push_back(std::move(p));
    std::vector<migration> out;
    out.push_back(std::move(v1));
    return out;
}

int migrate(const strata::runtime& db, dialect d) {
    db.execute(strata::sql("CREATE TABLE IF NOT EXISTS relay_schema_version (version INTEGER NOT NULL)")).drain();
    int found = 0;
    db.transaction([&](strata::tx& tx) {
        // Two relay processes starting on one PostgreSQL database take turns here.
        // (SQLite transactions take the write lock at BEGIN already.)
        if (d == dialect::postgres) tx.execute(strata::sql("SELECT pg_advisory_xact_lock(7262930)")).drain();
        found = tx.execute(strata::sql("SELECT COALESCE(MAX(version), 0) FROM relay_schema_version"))
                    .one_as<int>();
        for (const auto& m : migrations(d)) {
            if (m.version <= found) continue;
            spdlog::info("schema: applying version {}", m.version);
            for (const auto& p : m.statements) tx.execute(p).drain();
            tx.execute(strata::sql("INSERT INTO relay_schema_version(version) VALUES (?)", m.version)).drain();
        }
    });
    return found;
}

}  // namespace relay::schema
