// SQLite only: full-text search with an FTS5 external-content table kept in sync by
// triggers. (The rowid of messages is its INTEGER PRIMARY KEY id.)
#include "schema/schema.hpp"

namespace relay::schema::detail {
namespace {
// strata's raw SQL lane reads the `;` inside a trigger body as a second statement and
// rejects the text (PLAN.MULTIPLE_STATEMENTS). A trigger is one statement to SQLite, so
// these plans are built directly; the SQLite driver still checks that nothing follows.
strata::plan trigger(std::string text) {
    strata::plan_meta meta;
    meta.kind = strata::statement_kind::write;
    return strata::plan(std::move(text), {}, meta);
}
}  // namespace

std::vector<strata::plan> sqlite_search_objects() {
    std::vector<strata::plan> out;
    out.push_back(
        strata::sql("CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(body, content='messages', "
                    "content_rowid='id')"));
    out.push_back(trigger(R"(CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END)"));
    out.push_back(trigger(R"(CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END)"));
    out.push_back(trigger(R"(CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END)"));
    return out;
}

}  // namespace relay::schema::detail
