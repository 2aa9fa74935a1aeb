// Full-text search over the messages the caller can see (each database's own index),
// newest first and paged like every time-ordered list (decision 0018). The channels the
// caller can see come from the control plane and go to each store in chunks of
// ids_per_statement; the chunks' pages are merged by (created_at, id), which is exact
// across stores (relevance scores were not comparable between two databases).
#include <algorithm>

#include "engine/api_error.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/paging.hpp"

namespace relay {

json engine::search(const principal& p, const std::string& q, const std::optional<std::string>& channel,
                    const page_request& page) const {
    detail::require_agent_caller(p);
    if (q.size() > 512) fail(400, "invalid_request", "q is longer than 512 characters.");
    if (queries_.match_text(q).empty()) fail(400, "invalid_request", "q must contain a word to search for.");
    const detail::keyset newest{.first_sql = "m.created_at",
                                .second_sql = "m.id",
                                .first_column = "created_at",
                                .second_column = "id",
                                .kinds = {detail::key_kind::integer, detail::key_kind::integer},
                                .order = detail::direction::newest_first};
    const auto request = newest.request(page);
    std::optional<std::int64_t> only;
    if (channel) only = detail::require_channel(db_, p.workspace_id, *channel).id;

    static const strata::sql_template visible(
        "SELECT channel_id FROM channel_members WHERE agent_id = ? "
        "UNION SELECT d.channel_id FROM dm_participants dp JOIN dm_conversations d ON d.id = dp.conversation_id "
        "WHERE dp.agent_id = ? AND dp.left_at IS NULL");
    std::vector<std::int64_t> channels;
    for (std::int64_t id : db_.execute(visible.bind(p.agent_id, p.agent_id)).all_as<std::int64_t>())
        if (!only || id == *only) channels.push_back(id);

    std::vector<strata::split::store_rows> sources;  // the new store's first: it wins a duplicate
    for (const auto& s : messages_.topology().list_stores(messages_.consistency())) {
        const dialect_queries& dq = queries_for(s.from);
        const std::string match = dq.match_text(q);
        for (std::size_t first = 0; first < channels.size(); first += detail::ids_per_statement) {
            const std::size_t n = std::min(detail::ids_per_statement, channels.size() - first);
            const std::vector<std::int64_t> chunk(channels.begin() + static_cast<std::ptrdiff_t>(first),
                                                  channels.begin() + static_cast<std::ptrdiff_t>(first + n));
            const auto plan = newest.plan(dq.search_messages(n), dq.search_parameters(match, p.workspace_id, chunk),
                                          request.after, request.limit + 1);
            sources.push_back({s.from, s.where->read(plan).all()});
        }
    }
    const auto found = strata::split::merge(request, std::move(sources));
    std::vector<detail::message_record> records;
    records.reserve(found.rows.size());
    for (std::size_t i = 0; i < found.rows.size(); ++i)
        records.push_back(detail::message_from(found.rows[i], found.from[i]));
    return detail::page_json({{"query", q}}, "results", messages_.to_json(records, false), found);
}

}  // namespace relay
