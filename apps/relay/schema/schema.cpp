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

bool migrate(const strata::runtime& db, dialect d) {
    const strata::migrate_result r = strata::migrate(db, relay_contract());
    const bool created = r.outcome == strata::migrate_outcome::applied;
    spdlog::info("schema: contract {} ({})", relay_contract().hash(), created ? "applied now" : "up to date");
    const auto search = d == dialect::sqlite ? detail::sqlite_search_objects() : detail::postgres_search_objects();
    db.transaction([&](strata::tx& tx) {
        for (const auto& p : search) tx.execute(p).drain();
    });
    return created;
}

}  // namespace relay::schema
