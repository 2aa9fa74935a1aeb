// The inbox: unread top-level messages per channel and per conversation, and unacked
// mentions.
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::inbox(const principal& p) const {
    detail::require_agent_caller(p);
    static const strata::sql_template channels(
        "SELECT c.name, COUNT(m.id) FROM channel_members cm JOIN channels c ON c.id = cm.channel_id "
        "JOIN messages m ON m.channel_id = cm.channel_id "
        "WHERE cm.agent_id = ? AND c.channel_type = 0 AND m.thread_id IS NULL AND m.agent_id <> cm.agent_id "
        "AND m.id > COALESCE(cm.last_read_id, 0) GROUP BY c.name ORDER BY c.name");
    static const strata::sql_template mentions(
        "SELECT " + detail::message_columns(false) + detail::message_joins() +
        " JOIN deliveries d ON d.message_id = m.id WHERE d.agent_id = ? AND d.reason = 'mention' "
        "AND d.status <> 'acked' ORDER BY d.seq DESC LIMIT 20");
    static const strata::sql_template conversations(
        "SELECT d.id, COUNT(m.id) FROM dm_participants dp JOIN dm_conversations d ON d.id = dp.conversation_id "
        "JOIN messages m ON m.channel_id = d.channel_id "
        "WHERE dp.agent_id = ? AND dp.left_at IS NULL AND m.thread_id IS NULL AND m.agent_id <> dp.agent_id "
        "AND m.id > COALESCE(dp.last_read_id, 0) GROUP BY d.id ORDER BY d.id");

    json unread_channels = json::array();
    for (const strata::row& r : db_.execute(channels.bind(p.agent_id)))
        unread_channels.push_back({{"channel", r.get<std::string>(0)}, {"unread_count", r.get<std::int64_t>(1)}});
    std::vector<json> mentioned;
    for (const strata::row& r : db_.execute(mentions.bind(p.agent_id)))
        mentioned.push_back(detail::message_json(r, false));
    detail::add_attachments(db_, mentioned);
    json unread_dms = json::array();
    for (const strata::row& r : db_.execute(conversations.bind(p.agent_id)))
        unread_dms.push_back({{"conversation_id", r.get<std::string>(0)}, {"unread_count", r.get<std::int64_t>(1)}});
    return {{"unread_channels", unread_channels}, {"mentions", mentioned}, {"unread_dms", unread_dms}};
}

}  // namespace relay
