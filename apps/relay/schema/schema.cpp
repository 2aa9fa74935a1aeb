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
                              idempotency_keys, relay_nodes>();
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

// The name-ordered lists page in byte order (decision 0018). On SQLite the unique
// (workspace_id, name) indexes already are (BINARY); PostgreSQL's default collation may
// be a locale's, whose index cannot serve ORDER BY name COLLATE "C". Control plane only.
// A contract has no collations, so these stay beside it, like the search objects.
std::vector<strata::plan> byte_order_indexes(dialect d) {
    if (d != dialect::postgres) return {};
    return {
        strata::sql("CREATE INDEX IF NOT EXISTS channels_name_bytes ON channels(workspace_id, name COLLATE \"C\", id)"),
        strata::sql("CREATE INDEX IF NOT EXISTS agents_name_bytes ON agents(workspace_id, name COLLATE \"C\", id)")};
}

bool apply(const strata::runtime& db, dialect d, const strata::contract& c, std::string_view what,
           std::vector<strata::plan> extra_indexes = {}) {
    // From the contract the database records (none: an empty database) to this one, in
    // one transaction; a step that would drop data is refused (CONTRACT.DESTRUCTIVE_CHANGE).
    const strata::migration_plan plan = strata::plan_migration(db, c);
    const bool changed = !plan.up_to_date();
    if (changed) {
        for (const auto& step : plan.steps) spdlog::info("schema: {}: {}", what, step.name);
        (void)strata::apply_migration(db, plan);
    }
    spdlog::info("schema: {} contract {} ({})", what, c.hash(),
                 !changed ? "up to date" : plan.from_hash.empty() ? "applied now" : "migrated from " + plan.from_hash);
    auto extra = d == dialect::sqlite ? detail::sqlite_search_objects() : detail::postgres_search_objects();
    for (auto& p : extra_indexes) extra.push_back(std::move(p));
    db.transaction([&](strata::tx& tx) {
        for (const auto& p : extra) tx.execute(p).drain();
    });
    return changed && plan.from_hash.empty();
}

}  // namespace

bool migrate(const strata::runtime& db, dialect d) {
    // relay_nodes (node-id leases) is in the contract: a database an earlier relay made
    // gets it by migration at its first start (decision 0033).
    return apply(db, d, relay_contract(), "relay", byte_order_indexes(d));
}

bool migrate_messages(const strata::runtime& db, dialect d) {
    return apply(db, d, messages_contract(), "messages database");
}

}  // namespace relay::schema
