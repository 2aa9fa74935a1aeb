#include "engine/dialect_queries.hpp"

#include <cctype>

#include "engine/message_reads.hpp"
#include "engine/message_store.hpp"

namespace relay {
namespace {

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

std::string dialect_queries::search_messages(std::size_t channels) const {
    const std::string in = " AND m.workspace_id = ? AND m.channel_id IN (" + detail::placeholders(channels) + ")";
    if (dialect_ == dialect::sqlite)
        return "SELECT " + detail::message_columns() +
               " FROM messages m JOIN messages_fts ON messages_fts.rowid = m.id WHERE messages_fts MATCH ?" + in;
    return "SELECT " + detail::message_columns() +
           " FROM messages m WHERE to_tsvector('simple', m.body) @@ plainto_tsquery('simple', ?)" + in;
}

std::vector<strata::value> dialect_queries::search_parameters(const std::string& match, std::int64_t workspace_id,
                                                              const std::vector<std::int64_t>& channel_ids) const {
    std::vector<strata::value> params{strata::value{match}, strata::value{workspace_id}};
    for (std::int64_t id : channel_ids) params.emplace_back(id);
    return params;
}

std::string dialect_queries::in_byte_order(std::string_view expression) const {
    return std::string(expression) + (dialect_ == dialect::postgres ? " COLLATE \"C\"" : " COLLATE BINARY");
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
