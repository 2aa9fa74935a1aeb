// Thread replies (one atomic unit: reply + deliveries) and thread reads. Threads stay
// one level deep: a reply to a reply attaches to the root.
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_input.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"
#include "engine/paging.hpp"

namespace relay {

write_result engine::reply(const principal& p, std::int64_t parent_id, const message_input& in,
                           const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    detail::check_message_input(in);
    const auto parent = visible(p, parent_id);
    if (!parent) fail(404, "message_not_found", "No such message.");
    const std::int64_t root = parent->thread_id.value_or(parent->id);
    const bool in_channel = parent->channel_type == 0;

    detail::send_spec spec;
    spec.message = {next_message_id(),
                    p.workspace_id,
                    parent->channel_id,
                    p.agent_id,
                    root,
                    in.text,
                    detail::parse_mentions(in.text),
                    in.metadata,
                    {},
                    now_ms()};
    spec.recipients = in_channel ? detail::audience{detail::audience::kind::channel_members, parent->channel_id, {}, 0}
                                 : detail::audience{detail::audience::kind::conversation_participants, 0,
                                                    parent->conversation_id.value_or(""), 0};
    spec.reason = "thread-reply";
    const std::optional<std::string> channel_name = in_channel ? std::optional(parent->channel_name) : std::nullopt;
    const json message =
        detail::new_message_json(spec.message, p.agent_name, channel_name, parent->conversation_id, json::array());
    return run_send(spec, idem, 201, message,
                    {"thread.reply", detail::message_event_data("thread.reply", message), p.agent_id,
                     spec.message.id, channel_name, parent->conversation_id});
}

json engine::replies(const principal& p, std::int64_t parent_id, const page_request& page) const {
    detail::require_agent_caller(p);
    const auto parent = visible(p, parent_id);
    if (!parent) fail(404, "message_not_found", "No such message.");
    const std::int64_t root = parent->thread_id.value_or(parent->id);
    std::vector<detail::message_record> records;
    if (root == parent->id) {
        records.push_back(parent->record);
    } else {
        auto r = messages_.find(root);
        if (!r) fail(404, "message_not_found", "No such message.");
        records.push_back(*r);
    }
    // Oldest first, by the (created_at, id) key of every time-ordered list.
    const auto after = detail::page_start(page, {detail::key_kind::integer, detail::key_kind::integer});
    auto [replies, cut] = messages_.thread(root, page.limit, after);
    for (auto& r : replies) records.push_back(std::move(r));
    const std::vector<json> messages = messages_.to_json(records, true);
    json list = json::array();
    for (std::size_t i = 1; i < messages.size(); ++i) list.push_back(messages[i]);
    return detail::page_json({{"parent", messages.front()}}, "replies", std::move(list), cut);
}

}  // namespace relay
