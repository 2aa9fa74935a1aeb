// Full-text search over the messages the caller can see (the dialect's own index).
#include "engine/api_error.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::search(const principal& p, const std::string& q, const std::optional<std::string>& channel,
                    int limit) const {
    detail::require_agent_caller(p);
    if (q.size() > 512) fail(400, "invalid_request", "q is longer than 512 characters.");
    const std::string match = queries_.match_text(q);
    if (match.empty()) fail(400, "invalid_request", "q must contain a word to search for.");
    if (channel) (void)detail::require_channel(db_, p.workspace_id, *channel);
    std::vector<strata::value> params{strata::value{match}, strata::value{p.workspace_id}, strata::value{p.agent_id},
                                      strata::value{p.agent_id}};
    if (channel) params.emplace_back(*channel);
    params.emplace_back(static_cast<std::int64_t>(limit));
    std::vector<json> results;
    for (const strata::row& r : db_.execute(strata::sql_plan(queries_.search_messages(channel.has_value()), params)))
        results.push_back(detail::message_json(r, false));
    detail::add_attachments(db_, results);
    return {{"query", q}, {"results", results}};
}

}  // namespace relay
