// The events of a notification another instance (or this one) sent (engine/notices.hpp):
// a send's events rebuilt from its payload, reading by id whatever did not fit in it.
#include "engine/engine.hpp"
#include "engine/ids.hpp"

namespace relay {
namespace {

std::optional<std::string> optional_text(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

std::vector<event> engine::events_of_notice(const json& payload) const {
    if (!payload.is_object() || !payload.contains("k") || !payload.contains("t")) return {};
    const std::string kind = payload["k"].get<std::string>();
    const std::string type = payload["t"].get<std::string>();
    if (kind == "event") {
        event e{type, payload.value("d", json(nullptr)), {}, {}};
        for (const auto& r : payload.value("r", json::array())) e.recipients.push_back(r.get<std::int64_t>());
        return {std::move(e)};
    }
    if (kind != "send") return {};
    detail::send_announcement a;
    a.type = type;
    a.sender = payload.at("s").get<std::int64_t>();
    a.message_id = parse_id(payload.at("m").get<std::string>()).value_or(0);
    a.channel = optional_text(payload, "c");
    a.conversation_id = optional_text(payload, "v");
    if (payload.contains("d")) {
        a.data = payload["d"];
    } else {  // too large to travel: the message, read by id
        const auto record = messages_.find(a.message_id);
        if (!record) return {};
        a.data = detail::message_event_data(type, messages_.to_json({*record}, false).front());
    }
    std::vector<detail::accepted_delivery> to;
    if (payload.contains("to")) {
        for (const auto& d : payload["to"])
            to.push_back({d.at(2).get<std::string>(), d.at(0).get<std::int64_t>(), d.at(1).get<std::int64_t>(),
                          d.at(3).get<std::string>()});
    } else {  // too many recipients to travel: the message's deliveries, read by id
        static const strata::sql_template q("SELECT id, agent_id, seq, reason FROM deliveries WHERE message_id = ?");
        for (const strata::row& r : messages_.primary(messages_.owner(a.message_id)).execute(q.bind(a.message_id)))
            to.push_back({r.get<std::string>(0), r.get<std::int64_t>(1), r.get<std::int64_t>(2),
                          r.get<std::string>(3)});
    }
    return detail::send_events(a, to);
}

}  // namespace relay
