// The inbox: unread top-level messages per channel and per conversation, and unacked
// mentions. Memberships and read cursors come from the control plane; the messages are
// counted in every store that holds them, with the cursors passed in as values.
#include <algorithm>
#include <map>

#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::inbox(const principal& p) const {
    detail::require_agent_caller(p);
    static const strata::sql_template channels(
        "SELECT c.id, c.name, COALESCE(cm.last_read_id, 0) FROM channel_members cm "
        "JOIN channels c ON c.id = cm.channel_id WHERE cm.agent_id = ? AND c.channel_type = 0 ORDER BY c.name");
    static const strata::sql_template conversations(
        "SELECT d.channel_id, d.id, COALESCE(dp.last_read_id, 0) FROM dm_participants dp "
        "JOIN dm_conversations d ON d.id = dp.conversation_id WHERE dp.agent_id = ? AND dp.left_at IS NULL "
        "ORDER BY d.id");
    static const strata::sql_template mentions(
        "SELECT " + detail::message_columns() +
        ", d.seq FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.agent_id = ? "
        "AND d.reason = 'mention' AND d.status <> 'acked' ORDER BY d.seq DESC LIMIT 20");

    // (channel id, name or conversation id, last read id)
    auto unread = [&](const strata::sql_template& q, const char* label) {
        std::vector<std::pair<std::int64_t, std::int64_t>> cursors;
        std::vector<std::pair<std::int64_t, std::string>> names;
        for (const strata::row& r : db_.execute(q.bind(p.agent_id))) {
            cursors.emplace_back(r.get<std::int64_t>(0), r.get<std::int64_t>(2));
            names.emplace_back(r.get<std::int64_t>(0), r.get<std::string>(1));
        }
        const auto counts = messages_.activity(cursors, p.agent_id, /*top_level_only=*/true, /*newest=*/false);
        json out = json::array();
        for (const auto& [channel, name] : names)
            if (auto it = counts.find(channel); it != counts.end() && it->second.unread > 0)
                out.push_back({{label, name}, {"unread_count", it->second.unread}});
        return out;
    };
    json unread_channels = unread(channels, "channel");
    json unread_dms = unread(conversations, "conversation_id");

    // Mentions: deliveries live with their message; their status is read on the primary.
    std::vector<std::pair<std::int64_t, detail::message_record>> mentioned;  // (seq, message)
    for (const auto& s : messages_.primaries())
        for (const strata::row& r : s.db->execute(mentions.bind(p.agent_id)))
            mentioned.emplace_back(r.get<std::int64_t>(10), detail::message_from(r, s.where));
    std::sort(mentioned.begin(), mentioned.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (mentioned.size() > 20) mentioned.resize(20);
    std::vector<detail::message_record> records;
    for (auto& m : mentioned) records.push_back(std::move(m.second));
    return {{"unread_channels", unread_channels},
            {"mentions", messages_.to_json(records, false)},
            {"unread_dms", unread_dms}};
}

}  // namespace relay
