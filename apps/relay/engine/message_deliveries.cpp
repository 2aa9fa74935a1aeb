// A message's deliveries, one per recipient, with their status (queued -> delivered ->
// acked): for anyone who may read the message, as readers() is for its receipts. Only
// reads — handing deliveries out (queued -> delivered) stays with their recipient's
// GET /v1/deliveries. The rows live with the message (in split mode, either database).
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/paging.hpp"

namespace relay {

json engine::message_deliveries(const principal& p, std::int64_t message_id, const page_request& page) const {
    detail::require_agent_caller(p);
    const auto place = visible(p, message_id);
    if (!place) fail(404, "message_not_found", "No such message.");
    // By recipient (agent id, then the delivery id that completes the key).
    const detail::keyset by_recipient{.first_sql = "agent_id",
                                      .second_sql = "id",
                                      .first_column = "agent_id",
                                      .second_column = "id",
                                      .kinds = {detail::key_kind::integer, detail::key_kind::text}};
    const auto request = by_recipient.request(page);
    const auto rows =
        detail::read_page(messages_.primary(place->from), request, [&](const auto& after, std::int64_t n) {
            return by_recipient.plan(
                "SELECT agent_id, id, reason, status, created_at, delivered_at, acked_at FROM deliveries "
                "WHERE message_id = ?",
                {strata::value{message_id}}, after, n);
        });
    json deliveries = json::array();
    for (const strata::row& r : rows.rows) {
        const auto agent = r.get<std::int64_t>(0);
        const auto delivered_at = r.get<std::optional<std::int64_t>>(5);
        const auto acked_at = r.get<std::optional<std::int64_t>>(6);
        deliveries.push_back({{"id", r.get<std::string>(1)},
                              {"agent_id", id_text(agent)},
                              {"agent_name", names_.agent_name(agent)},
                              {"reason", r.get<std::string>(2)},
                              {"status", r.get<std::string>(3)},
                              {"created_at", iso8601(r.get<std::int64_t>(4))},
                              {"delivered_at", delivered_at ? json(iso8601(*delivered_at)) : json(nullptr)},
                              {"acked_at", acked_at ? json(iso8601(*acked_at)) : json(nullptr)}});
    }
    return detail::page_json({{"message_id", id_text(message_id)}}, "deliveries", std::move(deliveries), rows);
}

}  // namespace relay
