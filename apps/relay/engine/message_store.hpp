// The message side of relay over its stores (internal to the engine): messages,
// attachments, reply and read counts, read where they live. With one database that is
// --db; in split mode (db/stores.hpp) a message lives in the database its id's shape
// names, and reads go through strata::split: by id (read_by_id: a new-shaped id asks the
// messages database only) and as time-ordered lists over both (split::list, keyset
// (created_at, id)). Control-plane rows are joined in memory through the directory.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <strata/split.hpp>
#include <strata/strata.hpp>
#include <string>
#include <utility>
#include <vector>

#include "db/stores.hpp"
#include "engine/directory.hpp"
#include "engine/types.hpp"

namespace relay::detail {

using strata::split::read_consistency;
using strata::split::residency;

// A row of the messages table, and the store it was read from.
struct message_record {
    std::int64_t id = 0;
    std::int64_t workspace_id = 0;
    std::int64_t channel_id = 0;
    std::int64_t agent_id = 0;
    std::optional<std::int64_t> thread_id{};
    std::string body;
    std::string mentions;
    std::optional<std::string> metadata{};
    bool has_attachments = false;
    std::int64_t created_at = 0;
    residency from = residency::legacy;
};

// How many ids one statement carries at most when a list of the caller's ids goes to the
// database (read cursors, visible channels): the list goes in chunks of this size, so no
// statement's parameter count grows with a user's data (PostgreSQL takes 65,535).
inline constexpr std::size_t ids_per_statement = 500;

// The columns message_from() reads (m = messages).
[[nodiscard]] const std::string& message_columns();
[[nodiscard]] message_record message_from(const strata::row& r, residency from);

// A store relay reads or writes message-side rows on.
struct message_db {
    residency where;
    const strata::runtime* db;
};

class message_store {
public:
    message_store(const stores& s, const directory& names);

    [[nodiscard]] bool split() const noexcept { return topology_.split(); }
    [[nodiscard]] const strata::split::topology& topology() const noexcept { return topology_; }
    // How message rows are read: from the legacy replica when split (old messages no
    // longer change), from the primary otherwise.
    [[nodiscard]] read_consistency consistency() const noexcept;

    // The store that owns a message id, and its primary.
    [[nodiscard]] residency owner(std::int64_t message_id) const noexcept { return topology_.owner(message_id); }
    [[nodiscard]] const strata::runtime& primary(residency r) const noexcept { return topology_.writer(r).db; }
    // The primary of every store holding message-side rows (new first when split).
    // Lists read through topology().list_stores(consistency()).
    [[nodiscard]] std::vector<message_db> primaries() const;

    // One message by id (read_by_id).
    [[nodiscard]] std::optional<message_record> find(std::int64_t id) const;

    // The API's message objects: names from the directory, attachments, and with_counts
    // reply_count and read_by_count (summed over the stores).
    [[nodiscard]] std::vector<json> to_json(const std::vector<message_record>& records, bool with_counts) const;

    // Per channel of `cursors` (channel id, last read message id), over every store:
    // the messages after the cursor not sent by `reader` and, with newest, the channel's
    // newest message id (0: none). top_level_only leaves thread replies out.
    struct channel_activity {
        std::int64_t unread = 0;
        std::int64_t newest = 0;
    };
    [[nodiscard]] std::map<std::int64_t, channel_activity> activity(
        const std::vector<std::pair<std::int64_t, std::int64_t>>& cursors, std::int64_t reader, bool top_level_only,
        bool newest) const;

    // Top-level messages of a channel, newest first: {messages, next_cursor, has_more}.
    // Cursors are message ids (before: older than it, after: newer than it).
    [[nodiscard]] json channel_page(std::int64_t channel_id, const page_query& q) const;
    // A page of the replies of a thread root, oldest first: at most `limit` after the
    // (created_at, id) key `after`. The records, and the page they were cut from (its
    // cursor).
    [[nodiscard]] std::pair<std::vector<message_record>, strata::split::page> thread(
        std::int64_t root, int limit, const std::optional<strata::split::key>& after) const;

private:
    [[nodiscard]] strata::split::key cursor_key(std::int64_t message_id) const;
    void add_attachments(std::vector<json>& out, const std::vector<message_record>& records) const;
    void add_counts(std::vector<json>& out, const std::vector<message_record>& records) const;

    const strata::split::topology& topology_;
    const directory& names_;
};

// One message as the API's message object (attachments empty, no counts).
[[nodiscard]] json message_json(const message_record& m, const directory& names);

// "(?, ?), (?, ?)" — n rows of k typed values for a VALUES list joined in a query
// (CAST keeps PostgreSQL from reading them as text).
[[nodiscard]] std::string values_rows(std::size_t n, std::size_t k, std::string_view sql_type);

}  // namespace relay::detail
