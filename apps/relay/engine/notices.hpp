// Events across relay instances (decision 0032): the PostgreSQL notification a send's
// own unit carries, and the events an instance rebuilds from one. A send announces
// itself with one plan of its unit, so the notification exists only if the
// unit committed, and one agent's notifications arrive in its delivery seq order.
//
// Payload of a send (JSON, at most strata::postgres::max_payload_bytes):
//   {"k":"send","t":TYPE,"w":WRITTEN_MS,"m":"MESSAGE_ID","s":SENDER,"c":CHANNEL|null,
//    "v":CONVERSATION|null,"d":DATA,"to":[[AGENT,SEQ,"DELIVERY_ID","REASON"],...]}
// "d" (the event's data, up to the message's size) is left out when it does not fit,
// and then "to" too when the recipients do not: a receiver reads what is missing by id.
// Payload of any other event (announced after its commit, decision 0032):
//   {"k":"event","t":TYPE,"w":WRITTEN_MS,"d":DATA,"r":[AGENT,...]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <strata/strata.hpp>
#include <vector>

#include "engine/message_writes.hpp"
#include "engine/types.hpp"

namespace relay::detail {

// What a send's main event says, before the unit runs.
struct send_announcement {
    std::string type;  // message.created, thread.reply, dm.received, group_dm.received
    json data;
    std::int64_t sender = 0;
    std::int64_t message_id = 0;
    std::optional<std::string> channel{};
    std::optional<std::string> conversation_id{};
};

// A message event's data around its message: the Message itself (message.created),
// {thread_id, message} (thread.reply), {conversation_id, message} (dm.received,
// group_dm.received). The writer and an instance rebuilding a notification both use it.
[[nodiscard]] json message_event_data(const std::string& type, const json& message);

// The events of a committed send: its main event to the sender and every recipient, and
// one delivery.accepted per delivery; each recipient's frame carries its delivery seq.
[[nodiscard]] std::vector<event> send_events(const send_announcement& a, const std::vector<accepted_delivery>& to);

// The plan that announces a send on `channel` (PostgreSQL only): it reads the unit's own
// deliveries of the message, so it goes after them in the unit.
[[nodiscard]] strata::plan send_notice(const std::string& channel, const send_announcement& a,
                                       std::int64_t written_ms);

// Payloads announcing `e` (not a send's): one per slice of its recipients that fits.
// Empty when even one recipient's slice does not fit (the caller publishes locally).
[[nodiscard]] std::vector<std::string> event_notices(const event& e, std::int64_t written_ms);

}  // namespace relay::detail
