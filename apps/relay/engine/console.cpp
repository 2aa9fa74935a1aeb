// The console's message log (workspace key): channel messages and DMs, newest first.
// Log rows live with their message; a page is one time-ordered list over the stores.
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::console_logs(const principal& p, int limit) const {
    detail::require_workspace_caller(p);
    strata::split::list_request request;
    request.order = strata::split::direction::newest_first;
    request.limit = limit;
    const auto page = strata::split::list(
        messages_.topology(), request,
        [&](const std::optional<strata::split::key>& from, std::int64_t n) {
            std::string text =
                "SELECT l.id, l.message_id, l.channel_id, l.conversation_id, l.agent_id, l.delivery_kind, l.body, "
                "l.attachment_count, l.mention_count, l.created_at FROM message_logs l WHERE l.workspace_id = ?";
            std::vector<strata::value> params{strata::value{p.workspace_id}};
            if (from) {
                text += " AND (l.created_at, l.id) < (?, ?)";
                params.push_back(from->created_at);
                params.push_back(from->id);
            }
            text += " ORDER BY l.created_at DESC, l.id DESC LIMIT ?";
            params.emplace_back(n);
            return strata::sql_plan(std::move(text), std::move(params));
        },
        messages_.consistency());
    json logs = json::array();
    for (const strata::row& r : page.rows) {
        const auto channel = names_.channel(r.get<std::int64_t>(2));
        logs.push_back({{"id", id_text(r.get<std::int64_t>(0))},
                        {"message_id", id_text(r.get<std::int64_t>(1))},
                        {"channel", channel && channel->channel_type == 0 ? json(channel->name) : json(nullptr)},
                        {"conversation_id", nullable(r.get<std::optional<std::string>>(3))},
                        {"agent_id", id_text(r.get<std::int64_t>(4))},
                        {"agent_name", names_.agent_name(r.get<std::int64_t>(4))},
                        {"delivery_kind", r.get<std::string>(5)},
                        {"text", r.get<std::string>(6)},
                        {"attachment_count", r.get<std::int64_t>(7)},
                        {"mention_count", r.get<std::int64_t>(8)},
                        {"created_at", iso8601(r.get<std::int64_t>(9))}});
    }
    return {{"logs", logs}};
}

}  // namespace relay
