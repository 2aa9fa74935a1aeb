// The caller's deliveries: listing hands them out (queued -> delivered), ack settles
// one (-> acked, terminal).
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"

namespace relay {
namespace {

json delivery_json(const strata::row& r) {
    const auto delivered_at = r.get<std::optional<std::int64_t>>("delivered_at");
    const auto acked_at = r.get<std::optional<std::int64_t>>("acked_at");
    return {{"id", r.get<std::string>("delivery_id")},
            {"message_id", id_text(r.get<std::int64_t>("message_id"))},
            {"reason", r.get<std::string>("reason")},
            {"status", r.get<std::string>("status")},
            {"seq", r.get<std::int64_t>("seq")},
            {"created_at", iso8601(r.get<std::int64_t>("delivery_created_at"))},
            {"delivered_at", delivered_at ? json(iso8601(*delivered_at)) : json(nullptr)},
            {"acked_at", acked_at ? json(iso8601(*acked_at)) : json(nullptr)}};
}

const std::string delivery_columns =
    "d.id AS delivery_id, d.message_id, d.reason, d.status, d.seq, d.created_at AS delivery_created_at, "
    "d.delivered_at, d.acked_at";

}  // namespace

json engine::list_deliveries(const principal& p, const std::string& status, int limit) {
    detail::require_agent_caller(p);
    std::string where;
    if (status.empty())
        where = " AND d.status IN ('queued', 'delivered')";
    else if (status == "queued" || status == "delivered" || status == "acked")
        where = " AND d.status = '" + status + "'";
    else if (status != "all")
        fail(400, "invalid_request", "status must be queued, delivered, acked or all.");
    const std::string text =
        "SELECT " + delivery_columns + ", " + detail::message_columns(false) + detail::message_joins() +
        " JOIN deliveries d ON d.message_id = m.id WHERE d.agent_id = ?" + where + " ORDER BY d.seq ASC LIMIT ?";
    std::vector<json> deliveries;
    std::vector<json> messages;
    std::vector<strata::value> handed_out;
    for (const strata::row& r : db_.execute(strata::sql(text, p.agent_id, limit))) {
        deliveries.push_back(delivery_json(r));
        messages.push_back(detail::message_json(r, false));
        if (r.get<std::string>("status") == "queued") handed_out.emplace_back(r.get<std::string>("delivery_id"));
    }
    detail::add_attachments(db_, messages);
    if (!handed_out.empty()) {
        // Listing hands the deliveries to the agent: queued -> delivered (only from queued).
        const std::int64_t now = now_ms();
        const std::size_t n = handed_out.size();
        std::vector<strata::value> params{strata::value{now}, strata::value{now}, strata::value{p.agent_id}};
        for (auto& v : handed_out) params.push_back(std::move(v));
        db_.execute(strata::sql_plan("UPDATE deliveries SET status = 'delivered', delivered_at = ?, updated_at = ? "
                                     "WHERE agent_id = ? AND status = 'queued' AND id IN (" +
                                         detail::placeholders(n) + ")",
                                     std::move(params)))
            .drain();
        for (auto& d : deliveries) {
            if (d["status"] == "queued") {
                d["status"] = "delivered";
                d["delivered_at"] = iso8601(now);
            }
        }
    }
    json list = json::array();
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
        deliveries[i]["message"] = messages[i];
        deliveries[i]["channel"] = messages[i]["channel"];
        deliveries[i]["conversation_id"] = messages[i]["conversation_id"];
        list.push_back(std::move(deliveries[i]));
    }
    return {{"deliveries", list}};
}

write_result engine::ack_delivery(const principal& p, const std::string& delivery_id) {
    detail::require_agent_caller(p);
    static const strata::sql_template ack(
        "UPDATE deliveries SET status = 'acked', acked_at = ?, updated_at = ? "
        "WHERE id = ? AND agent_id = ? AND status IN ('queued', 'delivered')");
    static const strata::sql_template read("SELECT " + delivery_columns +
                                           " FROM deliveries d WHERE d.id = ? AND d.agent_id = ?");
    const std::int64_t now = now_ms();
    db_.execute(ack.bind(now, now, delivery_id, p.agent_id)).drain();
    auto r = db_.execute(read.bind(delivery_id, p.agent_id)).first();
    if (!r) fail(404, "delivery_not_found", "No such delivery of yours.");
    return {200, {{"delivery", delivery_json(*r)}}, {}};
}

}  // namespace relay
