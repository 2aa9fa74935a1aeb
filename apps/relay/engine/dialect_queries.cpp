#include "engine/dialect_queries.hpp"

#include <cctype>

#include "engine/message_reads.hpp"

namespace relay {
namespace {

// The channels an agent can see: its channels, and its active conversations' channels.
constexpr const char* visible_channels =
    "m.channel_id IN (SELECT channel_id FROM channel_members WHERE agent_id = ? "
    "UNION SELECT d.channel_id FROM dm_participants dp JOIN dm_conversations d ON d.id = dp.conversation_id "
    "WHERE dp.agent_id = ? AND dp.left_at IS NULL)";

constexpr const char* channel_members = "id IN (SELECT agent_id FROM channel_members WHERE channel_id = ?)";
constexpr const char* conversation_participants =
    "id IN (SELECT agent_id FROM dm_participants WHERE conversation_id = ? AND left_at IS NULL)";

std::string claim(const std::string& recipients) {
    return "UPDATE agents SET delivery_seq = delivery_seq + 1, delivery_claim = ? WHERE " + recipients + " AND id <> ?";
}

std::optional<strata::sql_template> lock(dialect d, const std::string& recipients) {
    if (d != dialect::postgres) return std::nullopt;
    return strata::sql_template("SELECT id FROM agents WHERE " + recipients +
                                " AND id <> ? ORDER BY id FOR NO KEY UPDATE");
}

}  // namespace

dialect_queries::dialect_queries(dialect d)
    : dialect_(d),
      claim_channel_(claim(channel_members)),
      claim_conversation_(claim(conversation_participants)),
      claim_one_(claim("id = ? AND workspace_id = ?")),
      lock_channel_(lock(d, channel_members)),
      lock_conversation_(lock(d, conversation_participants)) {
    if (d == dialect::postgres) lock_channel_row_.emplace("SELECT id FROM channels WHERE id = ? FOR NO KEY UPDATE");
}

std::string dialect_queries::search_messages(bool with_channel) const {
    const std::string channel_filter = with_channel ? " AND c.channel_type = 0 AND c.name = ?" : "";
    if (dialect_ == dialect::sqlite) {
        return "SELECT " + detail::message_columns(false) + detail::message_joins() +
               " JOIN messages_fts ON messages_fts.rowid = m.id WHERE messages_fts MATCH ? AND m.workspace_id = ? "
               "AND " +
               visible_channels + channel_filter + " ORDER BY bm25(messages_fts), m.id DESC LIMIT ?";
    }
    return "WITH q AS (SELECT plainto_tsquery('simple', ?) AS query) SELECT " + detail::message_columns(false) +
           detail::message_joins() +
           " CROSS JOIN q WHERE to_tsvector('simple', m.body) @@ q.query AND m.workspace_id = ? AND " +
           visible_channels + channel_filter +
           " ORDER BY ts_rank(to_tsvector('simple', m.body), q.query) DESC, m.id DESC LIMIT ?";
}

std::string dialect_queries::match_text(std::string_view user_text) const {
    // Words: runs of letters, digits, '_' and any non-ASCII byte (UTF-8 letters).
    std::string out;
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        if (!out.empty()) out += ' ';
        out += dialect_ == dialect::sqlite ? "\"" + word + "\"" : word;
        word.clear();
    };
    for (char ch : user_text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '_' || c >= 0x80)
            word += ch;
        else
            flush();
    }
    flush();
    return out;
}

}  // namespace relay
