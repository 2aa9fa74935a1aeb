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
        ids_.next(), p.workspace_id, ch.id,   p.agent_id, std::nullopt, in.text, detail::parse_mentions(in.text),
        in.metadata, files.ids,      now_ms()};
    spec.recipients = {detail::audience::kind::channel_members, ch.id, {}, 0};
    spec.reason = "message";
    spec.log_kind = "channel";
    spec.log_id = ids_.next();
    const json message = detail::new_message_json(spec.message, p.agent_name, ch.name, std::nullopt, files.files);
    const auto deliveries =
        detail::execute_send([this](const auto& plans) { return run_unit(plans); }, queries_, spec, idem, 201, message);

    // Committed: the events.
    write_result out{201, message, {}};
    out.events.push_back({"message.created", message, detail::sender_and_recipients(p.agent_id, deliveries)});
    detail::add_delivery_events(out.events, deliveries, spec.message.id, ch.name, std::nullopt);
    return out;
}

json engine::channel_history(const principal& p, const std::string& channel, const page_query& q) const {
    detail::require_agent_caller(p);
    const auto ch = detail::require_channel(db_, p.workspace_id, channel);
    if (!detail::is_member(db_, ch.id, p.agent_id))
        fail(403, "not_a_member", "Join #" + channel + " to read its messages.");
    return detail::message_page(db_, ch.id, q);
}

json engine::get_message(const principal& p, std::int64_t id) const {
    detail::require_agent_caller(p);
    if (!detail::visible_message(db_, p, id)) fail(404, "message_not_found", "No such message.");
    static const strata::sql_template q("SELECT " + detail::message_columns(true) + detail::message_joins() +
                                        " WHERE m.id = ?");
    std::vector<json> messages{detail::message_json(db_.execute(q.bind(id)).one(), true)};
    detail::add_attachments(db_, messages);
    return messages.front();
}

}  // namespace relay
