#include "engine/message_reads.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"

namespace relay::detail {

bool is_member(const strata::runtime& db, std::int64_t channel_id, std::int64_t agent_id) {
    static const strata::sql_template q("SELECT 1 FROM channel_members WHERE channel_id = ? AND agent_id = ?");
    return db.execute(q.bind(channel_id, agent_id)).first().has_value();
}

bool is_active_participant(const strata::runtime& db, const std::string& conversation_id, std::int64_t agent_id) {
    static const strata::sql_template q(
        "SELECT 1 FROM dm_participants WHERE conversation_id = ? AND agent_id = ? AND left_at IS NULL");
    return db.execute(q.bind(conversation_id, agent_id)).first().has_value();
}

std::optional<message_place> visible_message(const strata::runtime& control, const message_store& store,
                                             const directory& names, const principal& p, std::int64_t message_id) {
    if (!p.is_agent()) return std::nullopt;
    const auto m = store.find(message_id);
    if (!m || m->workspace_id != p.workspace_id) return std::nullopt;
    const auto channel = names.channel(m->channel_id);
    if (!channel) return std::nullopt;
    const bool allowed = channel->channel_type == 0 ? is_member(control, channel->id, p.agent_id)
                         : channel->conversation_id
                             ? is_active_participant(control, *channel->conversation_id, p.agent_id)
                             : false;
    if (!allowed) return std::nullopt;
    return message_place{m->id,
                         m->workspace_id,
                         m->channel_id,
                         channel->channel_type,
                         channel->name,
                         m->thread_id,
                         channel->conversation_id,
                         channel->conversation_type,
                         m->from,
                         *m};
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
