// One-to-one DMs: the conversation (stable per pair) is opened by its own idempotent
// unit, then each DM is one atomic unit: message + attachments + delivery + message log.
// Also the conversation reads shared with group DMs.
#include <algorithm>
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_input.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"
#include "engine/paging.hpp"
#include "engine/secrets.hpp"

namespace relay {
namespace {

// "dm_" + 24 hex digits of sha256(workspace:low:high): the same pair always gets the same
// conversation, whoever writes first.
std::string pair_conversation_id(std::int64_t workspace_id, std::int64_t a, std::int64_t b) {
    const auto [low, high] = std::minmax(a, b);
    return "dm_" + sha256_hex(id_text(workspace_id) + ":" + id_text(low) + ":" + id_text(high)).substr(0, 24);
}

}  // namespace

write_result engine::send_dm(const principal& p, const std::string& to, const message_input& in,
                             const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    detail::check_message_input(in);
    const auto recipient = detail::require_agents(db_, p.workspace_id, {to}).front();
    const auto files = detail::resolve_attachments(db_, p.workspace_id, in.attachments);
    const std::string conversation_id = pair_conversation_id(p.workspace_id, p.agent_id, recipient.first);

    // Open the conversation unless both are active participants already. Every statement
    // tolerates a concurrent first DM between the same pair (ON CONFLICT).
    static const strata::sql_template active_count(
        "SELECT COUNT(*) FROM dm_participants WHERE conversation_id = ? AND left_at IS NULL");
    const std::int64_t expected = recipient.first == p.agent_id ? 1 : 2;
    if (db_.execute(active_count.bind(conversation_id)).one_as<std::int64_t>() < expected) {
        static const strata::sql_template insert_channel(
            "INSERT INTO channels(id, workspace_id, name, channel_type, topic, created_by, created_at) "
            "VALUES (?, ?, ?, 1, NULL, ?, ?) ON CONFLICT (workspace_id, name) DO NOTHING");
        static const strata::sql_template insert_conversation(
            "INSERT INTO dm_conversations(id, workspace_id, channel_id, dm_type, name, created_at) "
            "VALUES (?, ?, (SELECT id FROM channels WHERE workspace_id = ? AND name = ?), '1:1', NULL, ?) "
            "ON CONFLICT (id) DO NOTHING");
        static const strata::sql_template upsert_participant(
            "INSERT INTO dm_participants(conversation_id, agent_id, joined_at) VALUES (?, ?, ?) "
            "ON CONFLICT (conversation_id, agent_id) DO UPDATE SET left_at = NULL");
        const std::int64_t now = now_ms();
        const std::string channel_name = "dm:" + conversation_id;
        std::vector<strata::plan> open{
            insert_channel.bind(ids_.next(), p.workspace_id, channel_name, p.agent_id, now),
            insert_conversation.bind(conversation_id, p.workspace_id, p.workspace_id, channel_name, now),
            upsert_participant.bind(conversation_id, p.agent_id, now)};
        if (recipient.first != p.agent_id)
            open.push_back(upsert_participant.bind(conversation_id, recipient.first, now));
        // Every statement is an upsert: the unit landed when the recipient is active.
        static const strata::sql_template opened(
            "SELECT 1 FROM dm_participants WHERE conversation_id = ? AND agent_id = ? AND left_at IS NULL");
        (void)run_unit(open, opened.bind(conversation_id, recipient.first));
    }
    const auto conversation = detail::require_conversation(db_, p.workspace_id, conversation_id);

    detail::send_spec spec;
    spec.message = {next_message_id(), p.workspace_id, conversation.channel_id,         p.agent_id,
                    std::nullopt,      in.text,        detail::parse_mentions(in.text), in.metadata,
                    files.ids,         now_ms()};
    spec.recipients = {detail::audience::kind::one_agent, 0, {}, recipient.first};
    spec.reason = "dm";
    spec.log_kind = "dm";
    spec.conversation_id = conversation_id;
    spec.log_id = next_message_id();
    const json message =
        detail::new_message_json(spec.message, p.agent_name, std::nullopt, conversation_id, files.files);
    const json response = detail::message_event_data("dm.received", message);  // also the HTTP answer
    return run_send(spec, idem, 201, response,
                    {"dm.received", response, p.agent_id, spec.message.id, std::nullopt, conversation_id});
}

json engine::list_conversations(const principal& p, const page_request& page) const {
    detail::require_agent_caller(p);
    // Newest first; conversation ids (text) in byte order on both databases.
    const detail::keyset newest_first{.first_sql = "d.created_at",
                                      .second_sql = queries_.in_byte_order("d.id"),
                                      .first_column = "created_at",
                                      .second_column = "id",
                                      .kinds = {detail::key_kind::integer, detail::key_kind::text},
                                      .order = detail::direction::newest_first};
    const auto request = newest_first.request(page);
    const auto rows = detail::read_page(db_, request, [&](const auto& after, std::int64_t n) {
        return newest_first.plan(
            "SELECT d.id AS id, d.dm_type, d.name, d.created_at AS created_at, d.channel_id, "
            "COALESCE(dp.last_read_id, 0) FROM dm_conversations d JOIN dm_participants dp ON dp.conversation_id = d.id "
            "WHERE dp.agent_id = ? AND dp.left_at IS NULL AND d.workspace_id = ?",
            {strata::value{p.agent_id}, strata::value{p.workspace_id}}, after, n);
    });
    std::vector<json> conversations;
    // A page of conversations at most: the IN list below is bounded by the page's limit.
    std::vector<strata::value> ids;
    std::vector<std::pair<std::int64_t, std::int64_t>> cursors;  // (channel id, last read id)
    std::map<std::string, std::size_t> index;
    std::map<std::int64_t, std::size_t> by_channel;
    for (const strata::row& r : rows.rows) {
        const std::string id = r.get<std::string>(0);
        index[id] = conversations.size();
        by_channel[r.get<std::int64_t>(4)] = conversations.size();
        ids.emplace_back(id);
        cursors.emplace_back(r.get<std::int64_t>(4), r.get<std::int64_t>(5));
        conversations.push_back({{"id", id},
                                 {"type", r.get<std::string>(1)},
                                 {"name", nullable(r.get<std::optional<std::string>>(2))},
                                 {"created_at", iso8601(r.get<std::int64_t>(3))},
                                 {"unread_count", 0},
                                 {"participants", json::array()},
                                 {"last_message", nullptr}});
    }
    if (ids.empty()) return detail::page_json(json::object(), "conversations", json::array(), rows);
    const std::string text =
        "SELECT dp.conversation_id, a.id, a.name FROM dm_participants dp JOIN agents a ON a.id = dp.agent_id "
        "WHERE dp.left_at IS NULL AND dp.conversation_id IN (" +
        detail::placeholders(ids.size()) + ") ORDER BY a.name";
    for (const strata::row& r : db_.execute(strata::sql_plan(text, ids)))
        conversations[index.at(r.get<std::string>(0))]["participants"].push_back(
            {{"agent_id", id_text(r.get<std::int64_t>(1))}, {"name", r.get<std::string>(2)}});

    // Unread counts and each conversation's newest message, over every message store.
    std::map<std::int64_t, std::int64_t> newest;  // channel -> newest message id
    for (const auto& [channel, a] :
         messages_.activity(cursors, p.agent_id, /*top_level_only=*/false, /*newest=*/true)) {
        conversations[by_channel.at(channel)]["unread_count"] = a.unread;
        if (a.newest > 0) newest[channel] = a.newest;
    }
    std::vector<detail::message_record> last;
    for (const auto& [channel, id] : newest)
        if (auto m = messages_.find(id)) last.push_back(*m);
    const std::vector<json> last_json = messages_.to_json(last, false);
    for (std::size_t i = 0; i < last.size(); ++i)
        conversations[by_channel.at(last[i].channel_id)]["last_message"] = last_json[i];
    return detail::page_json(json::object(), "conversations", conversations, rows);
}

json engine::conversation_history(const principal& p, const std::string& conversation_id, const page_query& q) const {
    detail::require_agent_caller(p);
    const auto conversation = detail::require_conversation(db_, p.workspace_id, conversation_id);
    if (!detail::is_active_participant(db_, conversation.id, p.agent_id))
        fail(403, "not_a_participant", "Only participants can read this conversation.");
    json page = messages_.channel_page(conversation.channel_id, q);
    page["conversation_id"] = conversation.id;
    return page;
}

}  // namespace relay
