// PostgreSQL only: full-text search through an expression GIN index on the message body.
#include "schema/schema.hpp"

namespace relay::schema::detail {

std::vector<strata::plan> postgres_search_objects() {
    return {strata::sql(
        "CREATE INDEX IF NOT EXISTS messages_body_fts ON messages USING GIN (to_tsvector('simple', body))")};
}

}  // namespace relay::schema::detail
