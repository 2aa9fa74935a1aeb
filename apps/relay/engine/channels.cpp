// Channels: create (the creator joins), list, join, leave, members.
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"
#include "engine/names.hpp"
#include "engine/paging.hpp"

namespace relay {
namespace {

std::vector<std::int64_t> members_of(const strata::runtime& db, std::int64_t channel_id) {
    static const strata::sql_template q("SELECT agent_id FROM channel_members WHERE channel_id = ?");
    return db.execute(q.bind(channel_id)).all_as<std::int64_t>();
}

json member_event(const std::string& channel, const principal& p) {
    return {{"channel", channel}, {"agent_id", id_text(p.agent_id)}, {"agent_name", p.agent_name}};
}

}  // namespace

write_result engine::create_channel(const principal& p, const std::string& name,
                                    const std::optional<std::string>& topic,
                                    const std::optional<idempotency_claim>& idem) {
    detail::require_agent_caller(p);
    if (!detail::valid_channel_name(name))
        fail(400, "invalid_channel_name", "Channel names are 1 to 64 of a-z, 0-9, '_' and '-'.");
    if (topic && topic->size() > 512) fail(400, "invalid_request", "topic is longer than 512 characters.");
    static const strata::sql_template exists("SELECT 1 FROM channels WHERE workspace_id = ? AND name = ?");
    if (db_.execute(exists.bind(p.workspace_id, name)).first())
        fail(409, "channel_exists", "A channel named '" + name + "' already exists.");
    static const strata::sql_template count("SELECT COUNT(*) FROM channels WHERE workspace_id = ? AND channel_type = 0");
    if (db_.execute(count.bind(p.workspace_id)).one_as<std::int64_t>() >= options_.max_channels_per_workspace)
        fail(409, "channel_limit",
             "This workspace has " + std::to_string(options_.max_channels_per_workspace) + " channels, its limit.");
    static const strata::sql_template insert_channel(
        "INSERT INTO channels(id, workspace_id, name, channel_type, topic, created_by, created_at) "
        "VALUES (?, ?, ?, 0, ?, ?, ?)");
    static const strata::sql_template insert_owner(
        "INSERT INTO channel_members(channel_id, agent_id, role, joined_at) VALUES (?, ?, 'owner', ?)");
    const std::int64_t id = ids_.next();
    const std::int64_t now = now_ms();
    write_result out{201,
                     {{"channel",
                       {{"id", id_text(id)},
                        {"name", name},
                        {"topic", topic ? json(*topic) : json(nullptr)},
                        {"created_by", id_text(p.agent_id)},
                        {"created_at", iso8601(now)},
                        {"member_count", 1}}}},
                     {}};
    std::vector<strata::plan> plans{insert_channel.bind(id, p.workspace_id, name, topic, p.agent_id, now),
                                    insert_owner.bind(id, p.agent_id, now)};
    if (idem) detail::add_idempotency_plan(plans, *idem, out.status, out.data, now);
    try {
        static const strata::sql_template stored("SELECT 1 FROM channels WHERE id = ?");
        (void)run_unit(plans, stored.bind(id));
    } catch (const strata::error& e) {
        if (detail::is_unique_violation(e) && !(idem && find_idempotent(*idem)))
            fail(409, "channel_exists", "A channel named '" + name + "' already exists.");
        throw;
    }
    return out;
}

json engine::list_channels(const principal& p, const page_request& page) const {
    // By name (unique in a workspace), in byte order on both databases.
    const detail::keyset by_name{.first_sql = queries_.in_byte_order("c.name"),
                                 .second_sql = "c.id",
                                 .first_column = "name",
                                 .second_column = "id",
                                 .kinds = {detail::key_kind::text, detail::key_kind::integer}};
    const auto request = by_name.request(page);
    const auto rows = detail::read_page(db_, request, [&](const auto& after, std::int64_t n) {
        return by_name.plan(
            "SELECT c.id AS id, c.name AS name, c.topic, c.created_by, c.created_at, "
            "(SELECT COUNT(*) FROM channel_members cm WHERE cm.channel_id = c.id) AS member_count, "
            "(SELECT COUNT(*) FROM channel_members me WHERE me.channel_id = c.id AND me.agent_id = ?) AS is_member "
            "FROM channels c WHERE c.workspace_id = ? AND c.channel_type = 0",
            {strata::value{p.agent_id}, strata::value{p.workspace_id}}, after, n);
    });
    json channels = json::array();
    for (const strata::row& r : rows.rows) {
        const auto created_by = r.get<std::optional<std::int64_t>>(3);
        channels.push_back({{"id", id_text(r.get<std::int64_t>(0))},
                            {"name", r.get<std::string>(1)},
                            {"topic", nullable(r.get<std::optional<std::string>>(2))},
                            {"created_by", created_by ? json(id_text(*created_by)) : json(nullptr)},
                            {"created_at", iso8601(r.get<std::int64_t>(4))},
                            {"member_count", r.get<std::int64_t>(5)},
                            {"is_member", r.get<std::int64_t>(6) > 0}});
    }
    return detail::page_json(json::object(), "channels", std::move(channels), rows);
}

write_result engine::join_channel(const principal& p, const std::string& name) {
    detail::require_agent_caller(p);
    const auto channel = detail::require_channel(db_, p.workspace_id, name);
    static const strata::sql_template join(
        "INSERT INTO channel_members(channel_id, agent_id, role, joined_at) VALUES (?, ?, 'member', ?) "
        "ON CONFLICT (channel_id, agent_id) DO NOTHING");
    // The event's recipients are read before the write: once it has committed, nothing
    // may fail the request.
    auto recipients = members_of(db_, channel.id);
    auto s = db_.execute(join.bind(channel.id, p.agent_id, now_ms()));
    s.drain();
    const bool joined = s.affected_rows() > 0;
    write_result out{200, {{"channel", name}, {"agent_id", id_text(p.agent_id)}, {"joined", joined}}, {}};
    if (joined) {
        recipients.push_back(p.agent_id);
        out.events.push_back({"member.joined", member_event(name, p), std::move(recipients)});
    }
    return out;
}

write_result engine::leave_channel(const principal& p, const std::string& name) {
    detail::require_agent_caller(p);
    const auto channel = detail::require_channel(db_, p.workspace_id, name);
    static const strata::sql_template leave("DELETE FROM channel_members WHERE channel_id = ? AND agent_id = ?");
    // Read before the write (the leaver among them: it hears it too), as for a join.
    auto recipients = members_of(db_, channel.id);
    auto s = db_.execute(leave.bind(channel.id, p.agent_id));
    s.drain();
    const bool left = s.affected_rows() > 0;
    write_result out{200, {{"channel", name}, {"agent_id", id_text(p.agent_id)}, {"left", left}}, {}};
    if (left) out.events.push_back({"member.left", member_event(name, p), std::move(recipients)});
    return out;
}

json engine::channel_members(const principal& p, const std::string& name, const page_request& page) const {
    const auto channel = detail::require_channel(db_, p.workspace_id, name);
    // By agent name (unique in a workspace), in byte order on both databases.
    const detail::keyset by_name{.first_sql = queries_.in_byte_order("a.name"),
                                 .second_sql = "cm.agent_id",
                                 .first_column = "name",
                                 .second_column = "agent_id",
                                 .kinds = {detail::key_kind::text, detail::key_kind::integer}};
    const auto request = by_name.request(page);
    const auto rows = detail::read_page(db_, request, [&](const auto& after, std::int64_t n) {
        return by_name.plan(
            "SELECT cm.agent_id AS agent_id, a.name AS name, cm.role, cm.joined_at FROM channel_members cm "
            "JOIN agents a ON a.id = cm.agent_id WHERE cm.channel_id = ?",
            {strata::value{channel.id}}, after, n);
    });
    json members = json::array();
    for (const strata::row& r : rows.rows)
        members.push_back({{"agent_id", id_text(r.get<std::int64_t>(0))},
                           {"name", r.get<std::string>(1)},
                           {"role", r.get<std::string>(2)},
                           {"joined_at", iso8601(r.get<std::int64_t>(3))}});
    return detail::page_json({{"channel", name}}, "members", std::move(members), rows);
}

}  // namespace relay
