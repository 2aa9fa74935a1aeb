// The console's message log (workspace key): channel messages and DMs, newest first.
// Log rows live with their message; a page is one time-ordered list over the stores.
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/paging.hpp"

namespace relay {

json engine::console_logs(const principal& p, const page_request& page) const {
    detail::require_workspace_caller(p);
    const detail::keyset newest{.first_sql = "l.created_at",
                                .second_sql = "l.id",
                                .first_column = "created_at",
                                .second_column = "id",
                                .kinds = {detail::key_kind::integer, detail::key_kind::integer},
                                .order = detail::direction::newest_first};
    const auto logs_page = strata::split::list(
        messages_.topology(), newest.request(page),
        [&](const std::optional<strata::split::key>& from, std::int64_t n) {
            return newest.plan(
                "SELECT l.id, l.message_id, l.channel_id, l.conversation_id, l.agent_id, l.delivery_kind, l.body, "
                "l.attachment_count, l.mention_count, l.created_at FROM message_logs l WHERE l.workspace_id = ?",
                {strata::value{p.workspace_id}}, from, n);
        },
        messages_.consistency());
    json logs = json::array();
    for (const strata::row& r : logs_page.rows) {
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
    return detail::page_json(json::object(), "logs", std::move(logs), logs_page);
}

}  // namespace relay
