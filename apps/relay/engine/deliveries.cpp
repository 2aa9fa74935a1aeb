// The caller's deliveries: listing hands them out (queued -> delivered), ack settles
// one (-> acked, terminal). A delivery lives with its message (in split mode, either
// database; its id "del_<message id>_<agent id>" names the message, so it routes like
// it); reads of deliveries go to the primaries, where their status changes.
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/paging.hpp"

namespace relay {
namespace {

// Delivery columns after the message's (message_columns(): 10 columns).
constexpr int first = 10;

json delivery_json(const strata::row& r) {
    const auto delivered_at = r.get<std::optional<std::int64_t>>(first + 5);
    const auto acked_at = r.get<std::optional<std::int64_t>>(first + 6);
    return {{"id", r.get<std::string>(first)},
            {"message_id", id_text(r.get<std::int64_t>(0))},
            {"reason", r.get<std::string>(first + 1)},
            {"status", r.get<std::string>(first + 2)},
            {"seq", r.get<std::int64_t>(first + 3)},
            {"created_at", iso8601(r.get<std::int64_t>(first + 4))},
            {"delivered_at", delivered_at ? json(iso8601(*delivered_at)) : json(nullptr)},
            {"acked_at", acked_at ? json(iso8601(*acked_at)) : json(nullptr)}};
}

const std::string& delivery_select() {
    static const std::string text = "SELECT " + detail::message_columns() +
                                    ", d.id AS delivery_id, d.reason, d.status, d.seq AS seq, d.created_at, "
                                    "d.delivered_at, d.acked_at "
                                    "FROM deliveries d JOIN messages m ON m.id = d.message_id";
    return text;
}

// The message id inside "del_<message id>_<agent id>"; nullopt for anything else.
std::optional<std::int64_t> message_of_delivery(std::string_view id) {
    if (id.substr(0, 4) != "del_") return std::nullopt;
    id.remove_prefix(4);
    const auto sep = id.find('_');
    if (sep == std::string_view::npos || !parse_id(id.substr(sep + 1))) return std::nullopt;
    return parse_id(id.substr(0, sep));
}

}  // namespace

json engine::list_deliveries(const principal& p, const std::string& status, const page_request& page,
                            std::optional<std::int64_t> after_seq) {
    detail::require_agent_caller(p);
    std::string where;
    if (status.empty())
        where = " AND d.status IN ('queued', 'delivered')";
    else if (status == "queued" || status == "delivered" || status == "acked")
        where = " AND d.status = '" + status + "'";
    else if (status != "all")
        fail(400, "invalid_request", "status must be queued, delivered, acked or all.");
    auto after = detail::page_start(page, {detail::key_kind::integer, detail::key_kind::text});
    if (after_seq) {
        if (after) fail(400, "invalid_request", "Give cursor or after_seq, not both.");
        after = strata::split::key{strata::value{*after_seq}, strata::value{std::string()}};
    }
    auto cut = deliveries_page(p.agent_id, where, after, page.limit);

    // Listing hands the deliveries to the agent: queued -> delivered (only from queued).
    const std::int64_t now = now_ms();
    std::map<const strata::runtime*, std::vector<strata::value>> handed_out;
    for (std::size_t i = 0; i < cut.rows.size(); ++i)
        if (cut.rows[i].get<std::string>(first + 2) == "queued")
            handed_out[&messages_.primary(cut.from[i])].emplace_back(cut.rows[i].get<std::string>(first));
    for (auto& [db, ids] : handed_out) {
        const std::size_t n = ids.size();
        std::vector<strata::value> params{strata::value{now}, strata::value{now}, strata::value{p.agent_id}};
        for (auto& v : ids) params.push_back(std::move(v));
        db->execute(strata::sql_plan("UPDATE deliveries SET status = 'delivered', delivered_at = ?, updated_at = ? "
                                     "WHERE agent_id = ? AND status = 'queued' AND id IN (" +
                                         detail::placeholders(n) + ")",
                                     std::move(params)))
            .drain();
    }
    json list = json::array();
    for (json& d : deliveries_json(cut)) {
        if (d["status"] == "queued") {
            d["status"] = "delivered";
            d["delivered_at"] = iso8601(now);
        }
        list.push_back(std::move(d));
    }
    return detail::page_json(json::object(), "deliveries", std::move(list), cut);
}

std::int64_t engine::delivery_position(std::int64_t agent_id) const {
    static const strata::sql_template highest("SELECT COALESCE(MAX(seq), 0) FROM deliveries WHERE agent_id = ?");
    std::int64_t out = 0;
    for (const auto& s : messages_.primaries())
        out = std::max(out, s.db->execute(highest.bind(agent_id)).one_as<std::int64_t>());
    return out;
}

std::vector<json> engine::deliveries_after(std::int64_t agent_id, std::int64_t after, std::size_t limit) const {
    return deliveries_json(
        deliveries_page(agent_id, "", strata::split::key{strata::value{after}, strata::value{std::string()}},
                        static_cast<std::int64_t>(limit)));
}

// By the agent's delivery sequence, one across the stores and unique per agent: seq
// alone orders the list; the delivery id completes the two-part key of a cursor.
strata::split::page engine::deliveries_page(std::int64_t agent_id, const std::string& where,
                                            const std::optional<strata::split::key>& after,
                                            std::int64_t limit) const {
    strata::split::list_request request;
    request.order = detail::direction::oldest_first;
    request.limit = limit;
    request.after = after;
    request.created_at_column = "seq";
    request.id_column = "delivery_id";
    std::string text = delivery_select() + " WHERE d.agent_id = ?" + where;
    std::vector<strata::value> values{strata::value{agent_id}};
    if (request.after) {
        text += " AND d.seq > ?";
        values.push_back(request.after->created_at);
    }
    text += " ORDER BY d.seq ASC LIMIT ?";
    values.emplace_back(request.limit + 1);
    const strata::plan plan = strata::sql_plan(std::move(text), std::move(values));
    std::vector<strata::split::store_rows> sources;
    for (const auto& s : messages_.primaries()) sources.push_back({s.where, s.db->execute(plan).all()});
    return strata::split::merge(request, std::move(sources));
}

// Rows of delivery_select(): Delivery objects with their message, status as stored.
std::vector<json> engine::deliveries_json(const strata::split::page& cut) const {
    std::vector<detail::message_record> records;
    for (std::size_t i = 0; i < cut.rows.size(); ++i) records.push_back(detail::message_from(cut.rows[i], cut.from[i]));
    const std::vector<json> messages = messages_.to_json(records, false);
    std::vector<json> out;
    for (std::size_t i = 0; i < cut.rows.size(); ++i) {
        json d = delivery_json(cut.rows[i]);
        d["message"] = messages[i];
        d["channel"] = messages[i]["channel"];
        d["conversation_id"] = messages[i]["conversation_id"];
        out.push_back(std::move(d));
    }
    return out;
}

write_result engine::ack_delivery(const principal& p, const std::string& delivery_id) {
    detail::require_agent_caller(p);
    const auto message_id = message_of_delivery(delivery_id);
    if (!message_id) fail(404, "delivery_not_found", "No such delivery of yours.");
    static const strata::sql_template ack(
        "UPDATE deliveries SET status = 'acked', acked_at = ?, updated_at = ? "
        "WHERE id = ? AND agent_id = ? AND status IN ('queued', 'delivered')");
    static const strata::sql_template read(delivery_select() + " WHERE d.id = ? AND d.agent_id = ?");
    const strata::runtime& db = messages_.primary(messages_.owner(*message_id));
    const std::int64_t now = now_ms();
    db.execute(ack.bind(now, now, delivery_id, p.agent_id)).drain();
    auto r = db.execute(read.bind(delivery_id, p.agent_id)).first();
    if (!r) fail(404, "delivery_not_found", "No such delivery of yours.");
    return {200, {{"delivery", delivery_json(*r)}}, {}};
}

}  // namespace relay
