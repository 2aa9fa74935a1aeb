// Group DMs: creation (one atomic unit: channel + conversation + participants) and
// posting to any conversation (group: message + attachments + deliveries; one-to-one:
// as a DM, with its message log).
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_input.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"

namespace relay {

write_result engine::create_group_dm(const principal& p, const std::vector<std::string>& participants,
                                     const std::optional<std::string>& name,
                                     const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    if (participants.empty() || participants.size() > 50)
        fail(400, "invalid_request", "participants must name 1 to 50 agents.");
    if (name && (name->empty() || name->size() > 128))
        fail(400, "invalid_request", "name must be 1 to 128 characters.");
    auto members = detail::require_agents(db_, p.workspace_id, participants);
    std::erase_if(members, [&](const auto& m) { return m.first == p.agent_id; });
    members.insert(members.begin(), {p.agent_id, p.agent_name});
    // Nobody is added to more group DMs than the cap (at most 51 ids: a bounded list).
    std::string in_list;
    std::vector<strata::value> ids;
    for (const auto& m : members) {
        in_list += in_list.empty() ? "?" : ", ?";
        ids.emplace_back(m.first);
    }
    ids.emplace_back(options_.max_group_dms_per_agent);
    const auto full = db_.execute(strata::sql_plan(
        "SELECT a.name FROM dm_participants dp JOIN dm_conversations d ON d.id = dp.conversation_id "
        "JOIN agents a ON a.id = dp.agent_id WHERE d.dm_type = 'group' AND dp.left_at IS NULL AND dp.agent_id IN (" +
            in_list + ") GROUP BY a.name HAVING COUNT(*) >= ? ORDER BY a.name",
        std::move(ids))).first_as<std::string>();
    if (full)
        fail(409, "group_dm_limit",
             *full + " is already in " + std::to_string(options_.max_group_dms_per_agent) +
                 " group DMs; it must leave one first.");

    static const strata::sql_template insert_channel(
        "INSERT INTO channels(id, workspace_id, name, channel_type, topic, created_by, created_at) "
        "VALUES (?, ?, ?, 2, NULL, ?, ?)");
    static const strata::sql_template insert_conversation(
        "INSERT INTO dm_conversations(id, workspace_id, channel_id, dm_type, name, created_at) "
        "VALUES (?, ?, ?, 'group', ?, ?)");
    static const strata::sql_template insert_participant(
        "INSERT INTO dm_participants(conversation_id, agent_id, joined_at) VALUES (?, ?, ?)");
    const std::int64_t channel_id = ids_.next();
    const std::string conversation_id = "grp_" + id_text(ids_.next());
    const std::int64_t now = now_ms();
    std::vector<strata::plan> plans{
        insert_channel.bind(channel_id, p.workspace_id, "group:" + conversation_id, p.agent_id, now),
        insert_conversation.bind(conversation_id, p.workspace_id, channel_id, name, now)};
    json list = json::array();
    for (const auto& [id, agent_name] : members) {
        plans.push_back(insert_participant.bind(conversation_id, id, now));
        list.push_back({{"agent_id", id_text(id)}, {"name", agent_name}});
    }
    write_result out{201,
                     {{"conversation_id", conversation_id},
                      {"name", nullable(name)},
                      {"participants", list},
                      {"created_at", iso8601(now)}},
                     {}};
    if (idem) detail::add_idempotency_plan(plans, *idem, out.status, out.data, now);
    static const strata::sql_template stored("SELECT 1 FROM dm_conversations WHERE id = ?");
    (void)run_unit(plans, stored.bind(conversation_id));
    return out;
}

write_result engine::send_to_conversation(const principal& p, const std::string& conversation_id,
                                          const message_input& in, const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    detail::check_message_input(in);
    const auto conversation = detail::require_conversation(db_, p.workspace_id, conversation_id);
    if (!detail::is_active_participant(db_, conversation.id, p.agent_id))
        fail(403, "not_a_participant", "Only active participants can post to this conversation.");
    const auto files = detail::resolve_attachments(db_, p.workspace_id, in.attachments);
    const bool group = conversation.dm_type == "group";

    detail::send_spec spec;
    spec.message = {next_message_id(), p.workspace_id, conversation.channel_id,         p.agent_id,
                    std::nullopt,      in.text,        detail::parse_mentions(in.text), in.metadata,
                    files.ids,         now_ms()};
    spec.recipients = {detail::audience::kind::conversation_participants, 0, conversation.id, 0};
    spec.reason = group ? "message" : "dm";
    if (!group) {
        spec.log_kind = "dm";
        spec.log_id = next_message_id();
    }
    spec.conversation_id = conversation.id;
    const json message =
        detail::new_message_json(spec.message, p.agent_name, std::nullopt, conversation.id, files.files);
    const json response = detail::message_event_data("group_dm.received", message);  // also the HTTP answer
    return run_send(spec, idem, 201, response,
                    {group ? "group_dm.received" : "dm.received", response, p.agent_id, spec.message.id, std::nullopt,
                     conversation.id});
}

}  // namespace relay
