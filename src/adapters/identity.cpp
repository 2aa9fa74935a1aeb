// Adapters layer: what identifies the database behind a runtime (adapter_descriptor::identity).
#include <optional>

#include "introspect.hpp"
#include "strata/sql.hpp"

namespace strata::adapters {

std::string identity_sqlite(const runtime& db) {
    auto r = db.execute(sql("SELECT file FROM pragma_database_list WHERE name = 'main'")).first();
    const std::string file = r ? r->get<std::optional<std::string>>(0).value_or("") : "";
    return file.empty() ? std::string() : "sqlite:" + file;
}

std::string identity_postgres(const runtime& db) {
    auto r = db.execute(sql("SELECT system_identifier::text || ':' || current_database() FROM pg_control_system()")).one();
    return "postgres:" + r.get<std::string>(0);
}

}  // namespace strata::adapters
