#include "schema/schema.hpp"

#include <spdlog/spdlog.h>

#include <strata/migrate.hpp>

#include "schema/tables.hpp"

namespace relay::schema {

const strata::contract& relay_contract() {
    using namespace tables;
    static const strata::contract c =
        strata::make_contract<workspaces, agents, channels, channel_members, messages, message_logs, deliveries,
                              read_receipts, files, message_attachments, dm_conversations, dm_participants,
                              idempotency_keys>();
    return c;
}

const strata::contract& messages_contract() {
    using namespace tables;
    static const strata::contract c =
        strata::make_contract<messages_table<false>, message_logs_table<false>, deliveries_table<false>,
                              read_receipts_table<false>, message_attachments_table<false>,
                              idempotency_keys_table<false>, delivery_counters>();
    return c;
}

namespace {

// Indexes for the time-ordered lists, (created_at, id) (decision 0014). relay's contract
// was released without them and strata has no contract evolution yet, so they are
// added here, idempotently, on every start, like the search objects.
std::vector<strata::plan> time_order_indexes() {
    return {
        strata::sql("CREATE INDEX IF NOT EXISTS messages_channel_time ON messages(channel_id, created_at, id)"),
        strata::sql("CREATE INDEX IF NOT EXISTS messages_thread_time ON messages(thread_id, created_at, id)"),
        strata::sql(
            "CREATE INDEX IF NOT EXISTS message_logs_workspace_time ON message_logs(workspace_id, created_at, id)")};
}

// The name-ordered lists page in byte order (decision 0018). On SQLite the unique
// (workspace_id, name) indexes already are (BINARY); PostgreSQL's default collation may
// be a locale's, whose index cannot serve ORDER BY name COLLATE "C". Control plane only.
std::vector<strata::plan> byte_order_indexes(dialect d) {
    if (d != dialect::postgres) return {};
    return {
        strata::sql("CREATE INDEX IF NOT EXISTS channels_name_bytes ON channels(workspace_id, name COLLATE \"C\", id)"),
        strata::sql("CREATE INDEX IF NOT EXISTS agents_name_bytes ON agents(workspace_id, name COLLATE \"C\", id)")};
}

// The node-id leases (db/node_lease.hpp, decision 0032), control plane only. Outside the
// contract: a database made by an older relay has a contract without it, which
// strata::migrate would refuse as a mismatch; created here, idempotently, it appears at
// the next start of any relay that leases ids, whichever relay created the database.
strata::plan node_leases_table() {
    return strata::sql(
        "CREATE TABLE IF NOT EXISTS relay_nodes (node_id INTEGER PRIMARY KEY CHECK (node_id >= 0 AND node_id < 1024), "
        "holder TEXT NOT NULL, heartbeat_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)");
}

bool apply(const strata::runtime& db, dialect d, const strata::contract& c, std::string_view what,
           std::vector<strata::plan> extra_indexes = {}) {
    const strata::migrate_result r = strata::migrate(db, c);
    const bool created = r.outcome == strata::migrate_outcome::applied;
    spdlog::info("schema: {} contract {} ({})", what, c.hash(), created ? "applied now" : "up to date");
    auto extra = d == dialect::sqlite ? detail::sqlite_search_objects() : detail::postgres_search_objects();
    for (auto& p : time_order_indexes()) extra.push_back(std::move(p));
    for (auto& p : extra_indexes) extra.push_back(std::move(p));
    db.transaction([&](strata::tx& tx) {
        for (const auto& p : extra) tx.execute(p).drain();
    });
    return created;
}

}  // namespace

bool migrate(const strata::runtime& db, dialect d) {
    auto extra = byte_order_indexes(d);
    extra.push_back(node_leases_table());
    return apply(db, d, relay_contract(), "relay", std::move(extra));
}

bool migrate_messages(const strata::runtime& db, dialect d) {
    return apply(db, d, messages_contract(), "messages database");
}

}  // namespace relay::schema
