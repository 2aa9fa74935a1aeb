// Full-text search over the messages the caller can see (each database's own index).
// The channels the caller can see come from the control plane; each store searches
// them and the results are merged by score (then newest first).
#include <algorithm>

#include "engine/api_error.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::search(const principal& p, const std::string& q, const std::optional<std::string>& channel,
                    int limit) const {
    detail::require_agent_caller(p);
    if (q.size() > 512) fail(400, "invalid_request", "q is longer than 512 characters.");
    if (queries_.match_text(q).empty()) fail(400, "invalid_request", "q must contain a word to search for.");
    std::optional<std::int64_t> only;
    if (channel) only = detail::require_channel(db_, p.workspace_id, *channel).id;

    static const strata::sql_template visible(
        "SELECT channel_id FROM channel_members WHERE agent_id = ? "
        "UNION SELECT d.channel_id FROM dm_participants dp JOIN dm_conversations d ON d.id = dp.conversation_id "
        "WHERE dp.agent_id = ? AND dp.left_at IS NULL");
    std::vector<std::int64_t> channels;
    for (std::int64_t id : db_.execute(visible.bind(p.agent_id, p.agent_id)).all_as<std::int64_t>())
        if (!only || id == *only) channels.push_back(id);
    if (channels.empty()) return {{"query", q}, {"results", json::array()}};

    std::vector<std::pair<double, detail::message_record>> found;
    for (const auto& s : messages_.topology().list_stores(messages_.consistency())) {
        const dialect_queries& dq = queries_for(s.from);
        const std::string match = dq.match_text(q);
        const auto plan = strata::sql_plan(dq.search_messages(channels.size()),
                                           dq.search_parameters(match, p.workspace_id, channels, limit));
        for (const strata::row& r : s.where->read(plan))
            found.emplace_back(r.get<double>(10), detail::message_from(r, s.from));
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second.id > b.second.id;
    });
    if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
    std::vector<detail::message_record> records;
    for (auto& f : found) records.push_back(std::move(f.second));
    return {{"query", q}, {"results", messages_.to_json(records, false)}};
}

}  // namespace relay
