#include "engine/message_reads.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"

namespace relay::detail {

std::string message_columns(bool with_counts) {
    std::string cols =
        "m.id, m.channel_id, c.name AS channel_name, c.channel_type, dc.id AS conversation_id, m.agent_id, "
        "a.name AS agent_name, m.body, m.thread_id, m.mentions, m.metadata, m.has_attachments, m.created_at";
    if (with_counts)
        cols +=
            ", (SELECT COUNT(*) FROM messages r WHERE r.thread_id = m.id) AS reply_count"
            ", (SELECT COUNT(*) FROM read_receipts rr WHERE rr.message_id = m.id) AS read_by_count";
    return cols;
}

std::string message_joins() {
    return " FROM messages m JOIN agents a ON a.id = m.agent_id JOIN channels c ON c.id = m.channel_id"
           " LEFT JOIN dm_conversations dc ON dc.channel_id = m.channel_id";
}

json message_json(const strata::row& r, bool with_counts) {
    json m;
    m["id"] = id_text(r.get<std::int64_t>("id"));
    const bool is_channel = r.get<int>("channel_type") == 0;
    m["channel"] = is_channel ? json(r.get<std::string>("channel_name")) : json(nullptr);
    const auto conversation = r.get<std::optional<std::string>>("conversation_id");
    m["conversation_id"] = conversation ? json(*conversation) : json(nullptr);
    m["agent_id"] = id_text(r.get<std::int64_t>("agent_id"));
    m["agent_name"] = r.get<std::string>("agent_name");
    m["text"] = r.get<std::string>("body");
    const auto thread = r.get<std::optional<std::int64_t>>("thread_id");
    m["thread_id"] = thread ? json(id_text(*thread)) : json(nullptr);
    m["mentions"] = json::parse(r.get<std::string>("mentions"), nullptr, false);
    if (m["mentions"].is_discarded()) m["mentions"] = json::array();
    m["attachments"] = json::array();
    const auto metadata = r.get<std::optional<std::string>>("metadata");
    m["metadata"] = metadata ? json::parse(*metadata, nullptr, false) : json(nullptr);
    if (m["metadata"].is_discarded()) m["metadata"] = nullptr;
    m["created_at"] = iso8601(r.get<std::int64_t>("created_at"));
    if (with_counts) {
        m["reply_count"] = r.get<std::int64_t>("reply_count");
        m["read_by_count"] = r.get<std::int64_t>("read_by_count");
    }
    return m;
}

void add_attachments(const strata::runtime& db, std::vector<json>& messages) {
    if (messages.empty()) return;
    std::vector<strata::value> ids;
    std::map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const std::int64_t id = *parse_id(messages[i]["id"].get<std::string>());
        index[id] = i;
        ids.emplace_back(id);
    }
    const std::string text =
        "SELECT ma.message_id, f.id, f.filename, f.content_type, f.size_bytes FROM message_attachments ma "
        "JOIN files f ON f.id = ma.file_id WHERE ma.message_id IN (" +
        placeholders(ids.size()) + ") ORDER BY ma.message_id, ma.position";
    for (const strata::row& r : db.execute(strata::sql_plan(text, std::move(ids)))) {
        auto& target = messages[index.at(r.get<std::int64_t>(0))];
        target["attachments"].push_back({{"id", id_text(r.get<std::int64_t>(1))},
                                         {"filename", r.get<std::string>(2)},
                                         {"content_type", r.get<std::string>(3)},
                                         {"size_bytes", r.get<std::int64_t>(4)}});
    }
}

bool is_member(const strata::runtime& db, std::int64_t channel_id, std::int64_t agent_id) {
    static const strata::sql_template q("SELECT 1 FROM channel_members WHERE channel_id = ? AND agent_id = ?");
    return db.execute(q.bind(channel_id, agent_id)).first().has_value();
}

bool is_active_participant(const strata::runtime& db, const std::string& conversation_id, std::int64_t agent_id) {
    static const strata::sql_template q(
        "SELECT 1 FROM dm_participants WHERE conversation_id = ? AND agent_id = ? AND left_at IS NULL");
    return db.execute(q.bind(conversation_id, agent_id)).first().has_value();
}

std::optional<message_place> visible_message(const strata::runtime& db, const principal& p, std::int64_t message_id) {
    static const strata::sql_template q(
        "SELECT m.id, m.workspace_id, m.channel_id, c.channel_type, c.name, m.thread_id, dc.id, dc.dm_type "
        "FROM messages m JOIN channels c ON c.id = m.channel_id "
        "LEFT JOIN dm_conversations dc ON dc.channel_id = m.channel_id WHERE m.id = ? AND m.workspace_id = ?");
    auto r = db.execute(q.bind(message_id, p.workspace_id)).first();
    if (!r) return std::nullopt;
    message_place place{r->get<std::int64_t>(0),
                        r->get<std::int64_t>(1),
                        r->get<std::int64_t>(2),
                        r->get<int>(3),
                        r->get<std::string>(4),
                        r->get<std::optional<std::int64_t>>(5),
                        r->get<std::optional<std::string>>(6),
                        r->get<std::optional<std::string>>(7)};
    if (!p.is_agent()) return std::nullopt;
    const bool allowed = place.channel_type == 0 ? is_member(db, place.channel_id, p.agent_id)
                         : place.conversation_id ? is_active_participant(db, *place.conversation_id, p.agent_id)
                                                 : false;
    if (!allowed) return std::nullopt;
    return place;
}

channel_ref require_channel(const strata::runtime& db, std::int64_t workspace_id, const std::string& name) {
    static const strata::sql_template q(
        "SELECT id, name, channel_type FROM channels WHERE workspace_id = ? AND name = ? AND channel_type = 0");
    auto r = db.execute(q.bind(workspace_id, name)).first();
    if (!r) fail(404, "channel_not_found", "No channel named '" + name + "' in this workspace.");
    return {r->get<std::int64_t>(0), r->get<std::string>(1), r->get<int>(2)};
}

conversation_ref require_conversation(const strata::runtime& db, std::int64_t workspace_id, const std::string& id) {
    static const strata::sql_template q(
        "SELECT id, channel_id, dm_type, name FROM dm_conversations WHERE id = ? AND workspace_id = ?");
    auto r = db.execute(q.bind(id, workspace_id)).first();
    if (!r) fail(404, "conversation_not_found", "No such conversation in this workspace.");
    return {r->get<std::string>(0), r->get<std::int64_t>(1), r->get<std::string>(2),
            r->get<std::optional<std::string>>(3)};
}

json message_page(const strata::runtime& db, std::int64_t channel_id, const page_query& q) {
    const bool forward = q.after && !q.before;  // paging towards newer messages
    const std::string text =
        "SELECT " + message_columns(true) + message_joins() +
        " WHERE m.channel_id = ? AND m.thread_id IS NULL AND m.id < ? AND m.id > ? ORDER BY m.id " +
        (forward ? "ASC" : "DESC") + " LIMIT ?";
    const std::int64_t before = q.before.value_or(std::numeric_limits<std::int64_t>::max());
    const std::int64_t after = q.after.value_or(0);
    std::vector<json> messages;
    for (const strata::row& r : db.execute(strata::sql(text, channel_id, before, after, q.limit + 1)))
        messages.push_back(message_json(r, true));
    const bool has_more = messages.size() > static_cast<std::size_t>(q.limit);
    if (has_more) messages.pop_back();
    // The cursor continues in the direction asked: older (before=) or newer (after=).
    json next_cursor = nullptr;
    if (has_more && !messages.empty()) next_cursor = messages.back()["id"];
    if (forward) std::reverse(messages.begin(), messages.end());  // newest first, always
    add_attachments(db, messages);
    return {{"messages", messages}, {"next_cursor", next_cursor}, {"has_more", has_more}};
}

std::vector<std::pair<std::int64_t, std::string>> require_agents(const strata::runtime& db, std::int64_t workspace_id,
                                                                 const std::vector<std::string>& names) {
    std::vector<std::string> unique;
    for (const auto& n : names)
        if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    if (unique.empty()) return {};
    std::vector<strata::value> params{strata::value{workspace_id}};
    for (const auto& n : unique) params.emplace_back(n);
    const std::string text =
        "SELECT id, name FROM agents WHERE workspace_id = ? AND name IN (" + placeholders(unique.size()) + ")";
    std::map<std::string, std::int64_t> found;
    for (const strata::row& r : db.execute(strata::sql_plan(text, std::move(params))))
        found[r.get<std::string>(1)] = r.get<std::int64_t>(0);
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (const auto& n : unique) {
        auto it = found.find(n);
        if (it == found.end()) fail(404, "agent_not_found", "No agent named '" + n + "' in this workspace.");
        out.emplace_back(it->second, n);
    }
    return out;
}

}  // namespace relay::detail
