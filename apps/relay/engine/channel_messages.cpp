// Channel send (one atomic unit: message + attachments + deliveries + message log) and
// channel history.
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_input.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"

namespace relay {

write_result engine::send_channel_message(const principal& p, const std::string& channel, const message_input& in,
                                          const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    detail::check_message_input(in);
    // Reads first.
    const auto ch = detail::require_channel(db_, p.workspace_id, channel);
    if (!detail::is_member(db_, ch.id, p.agent_id))
        fail(403, "not_a_member", "Join #" + channel + " before posting to it.");
    const auto files = detail::resolve_attachments(db_, p.workspace_id, in.attachments);

    // Then the unit.
    detail::send_spec spec;
    spec.message = {
        next_message_id(), p.workspace_id, ch.id,   p.agent_id, std::nullopt, in.text, detail::parse_mentions(in.text),
        in.metadata,       files.ids,      now_ms()};
    spec.recipients = {detail::audience::kind::channel_members, ch.id, {}, 0};
    spec.reason = "message";
    spec.log_kind = "channel";
    spec.log_id = next_message_id();
    const json message = detail::new_message_json(spec.message, p.agent_name, ch.name, std::nullopt, files.files);
    return run_send(spec, idem, 201, message,
                    {"message.created", message, p.agent_id, spec.message.id, ch.name, std::nullopt});
}

json engine::channel_history(const principal& p, const std::string& channel, const page_query& q) const {
    detail::require_agent_caller(p);
    const auto ch = detail::require_channel(db_, p.workspace_id, channel);
    if (!detail::is_member(db_, ch.id, p.agent_id))
        fail(403, "not_a_member", "Join #" + channel + " to read its messages.");
    return messages_.channel_page(ch.id, q);
}

json engine::get_message(const principal& p, std::int64_t id) const {
    detail::require_agent_caller(p);
    const auto place = visible(p, id);
    if (!place) fail(404, "message_not_found", "No such message.");
    return messages_.to_json({place->record}, true).front();
}

}  // namespace relay
