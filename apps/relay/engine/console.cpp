// The console's message log (workspace key): channel messages and DMs, newest first.
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {

json engine::console_logs(const principal& p, int limit) const {
    detail::require_workspace_caller(p);
    static const strata::sql_template q(
        "SELECT l.id, l.message_id, c.name, c.channel_type, l.conversation_id, l.agent_id, a.name, l.delivery_kind, "
        "l.body, l.attachment_count, l.mention_count, l.created_at FROM message_logs l "
        "JOIN channels c ON c.id = l.channel_id JOIN agents a ON a.id = l.agent_id "
        "WHERE l.workspace_id = ? ORDER BY l.id DESC LIMIT ?");
    json logs = json::array();
    for (const strata::row& r : db_.execute(q.bind(p.workspace_id, limit))) {
        logs.push_back({{"id", id_text(r.get<std::int64_t>(0))},
                        {"message_id", id_text(r.get<std::int64_t>(1))},
                        {"channel", r.get<int>(3) == 0 ? json(r.get<std::string>(2)) : json(nullptr)},
                        {"conversation_id", nullable(r.get<std::optional<std::string>>(4))},
                        {"agent_id", id_text(r.get<std::int64_t>(5))},
                        {"agent_name", r.get<std::string>(6)},
                        {"delivery_kind", r.get<std::string>(7)},
                        {"text", r.get<std::string>(8)},
                        {"attachment_count", r.get<std::int64_t>(9)},
                        {"mention_count", r.get<std::int64_t>(10)},
                        {"created_at", iso8601(r.get<std::int64_t>(11))}});
    }
    return {{"logs", logs}};
}

}  // namespace relay
