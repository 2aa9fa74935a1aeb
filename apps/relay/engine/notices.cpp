#include "engine/notices.hpp"

#include <strata/postgres/notify.hpp>

#include "engine/ids.hpp"

namespace relay::detail {
namespace {

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json optional_text(const std::optional<std::string>& v) {
    return v ? json(*v) : json(nullptr);
}

}  // namespace

json message_event_data(const std::string& type, const json& message) {
    if (type == "thread.reply") return {{"thread_id", message["thread_id"]}, {"message", message}};
    if (type == "dm.received" || type == "group_dm.received")
        return {{"conversation_id", message["conversation_id"]}, {"message", message}};
    return message;
}

std::vector<event> send_events(const send_announcement& a, const std::vector<accepted_delivery>& to) {
    std::vector<event> out;
    event main{a.type, a.data, {a.sender}, {}};
    for (const auto& d : to) {
        main.recipients.push_back(d.agent_id);
        main.positions.push_back({d.agent_id, d.seq});
    }
    out.push_back(std::move(main));
    for (const auto& d : to) {
        out.push_back({"delivery.accepted",
                       {{"delivery_id", d.id},
                        {"message_id", id_text(a.message_id)},
                        {"channel", optional_text(a.channel)},
                        {"conversation_id", optional_text(a.conversation_id)},
                        {"reason", d.reason},
                        {"seq", d.seq}},
                       {d.agent_id},
                       {{d.agent_id, d.seq}}});
    }
    return out;
}

strata::plan send_notice(const std::string& channel, const send_announcement& a, std::int64_t written_ms) {
    strata::postgres::check_channel(channel);
    json head{{"k", "send"},
              {"t", a.type},
              {"w", written_ms},
              {"m", id_text(a.message_id)},
              {"s", a.sender},
              {"c", optional_text(a.channel)},
              {"v", optional_text(a.conversation_id)}};
    std::string bare = dump(head);  // {...}: neither the data nor the recipients
    std::string short_head = bare.substr(0, bare.size() - 1);
    head["d"] = a.data;
    std::string full = dump(head);
    std::string full_head = full.substr(0, full.size() - 1);
    // One statement reads the deliveries the unit has just written and picks the largest
    // form that fits: plans cannot pass values to each other, but a statement can read.
    static const std::string text =
        "SELECT pg_notify(?, CASE WHEN octet_length(f) <= " + std::to_string(strata::postgres::max_payload_bytes) +
        " THEN f WHEN octet_length(s) <= " + std::to_string(strata::postgres::max_payload_bytes) +
        " THEN s ELSE ? END) FROM (SELECT ? || ',\"to\":' || t || '}' AS f, ? || ',\"to\":' || t || '}' AS s "
        "FROM (SELECT COALESCE(json_agg(json_build_array(agent_id, seq, id, reason))::text, '[]') AS t "
        "FROM deliveries WHERE message_id = ?) d) x";
    return strata::plan(text,
                        {strata::value{channel}, strata::value{std::move(bare)}, strata::value{std::move(full_head)},
                         strata::value{std::move(short_head)}, strata::value{a.message_id}},
                        strata::plan_meta{.source = strata::lane::raw_sql, .kind = strata::statement_kind::write});
}

std::vector<std::string> event_notices(const event& e, std::int64_t written_ms) {
    const std::string head =
        dump(json{{"k", "event"}, {"t", e.type}, {"w", written_ms}, {"d", e.data}});
    const std::string open = head.substr(0, head.size() - 1) + ",\"r\":[";
    std::vector<std::string> out;
    std::string current = open;
    for (std::int64_t agent : e.recipients) {
        const std::string id = std::to_string(agent);
        if (open.size() + id.size() + 1 > strata::postgres::max_payload_bytes) return {};
        if (current.size() + id.size() + 3 > strata::postgres::max_payload_bytes) {
            out.push_back(current + "]}");
            current = open;
        }
        if (current.size() > open.size()) current += ',';
        current += id;
    }
    if (current.size() > open.size()) out.push_back(current + "]}");
    return out;
}

}  // namespace relay::detail
