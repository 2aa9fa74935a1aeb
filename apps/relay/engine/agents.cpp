// Agents: created with the workspace key (they join `general`), listed, and their
// tokens rotated with a 60 s grace for the old one.
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_writes.hpp"
#include "engine/message_reads.hpp"
#include "engine/names.hpp"
#include "engine/paging.hpp"
#include "engine/secrets.hpp"

namespace relay {
namespace {
constexpr std::int64_t rotation_grace_ms = 60'000;

json agent_json(std::int64_t id, const std::string& name, const std::string& type, std::int64_t created_at) {
    return {{"id", id_text(id)}, {"name", name}, {"type", type}, {"created_at", iso8601(created_at)}};
}

std::vector<std::int64_t> members_of(const strata::runtime& db, std::int64_t channel_id) {
    static const strata::sql_template q("SELECT agent_id FROM channel_members WHERE channel_id = ?");
    return db.execute(q.bind(channel_id)).all_as<std::int64_t>();
}
}  // namespace

write_result engine::create_agent(const principal& p, const std::string& name, const std::string& type,
                                  const std::optional<idempotency_claim>& idem) {
    detail::require_workspace_caller(p);
    if (!detail::valid_agent_name(name))
        fail(400, "invalid_agent_name", "Agent names are 1 to 64 letters, digits, '_' or '-'.");
    if (type != "agent" && type != "human" && type != "system")
        fail(400, "invalid_request", "type must be agent, human or system.");
    static const strata::sql_template exists("SELECT 1 FROM agents WHERE workspace_id = ? AND name = ?");
    if (db_.execute(exists.bind(p.workspace_id, name)).first())
        fail(409, "agent_exists", "An agent named '" + name + "' already exists in this workspace.");
    static const strata::sql_template count("SELECT COUNT(*) FROM agents WHERE workspace_id = ?");
    if (db_.execute(count.bind(p.workspace_id)).one_as<std::int64_t>() >= options_.max_agents_per_workspace)
        fail(409, "agent_limit",
             "This workspace has " + std::to_string(options_.max_agents_per_workspace) + " agents, its limit.");
    static const strata::sql_template insert_agent(
        "INSERT INTO agents(id, workspace_id, name, type, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    static const strata::sql_template join_general(
        "INSERT INTO channel_members(channel_id, agent_id, role, joined_at) "
        "SELECT id, ?, 'member', ? FROM channels WHERE workspace_id = ? AND name = 'general' AND channel_type = 0");
    // What the event needs is read before the unit: once the unit has committed, nothing
    // may fail this request (the new token would be lost with a 5xx).
    static const strata::sql_template general(
        "SELECT id FROM channels WHERE workspace_id = ? AND name = 'general' AND channel_type = 0");
    const auto general_id = db_.execute(general.bind(p.workspace_id)).first_as<std::int64_t>();
    std::vector<std::int64_t> recipients = general_id ? members_of(db_, *general_id) : std::vector<std::int64_t>{};
    const std::int64_t id = ids_.next();
    const std::int64_t now = now_ms();
    const std::string token = new_agent_token();
    std::vector<strata::plan> plans{insert_agent.bind(id, p.workspace_id, name, type, sha256_hex(token), now),
                                    join_general.bind(id, now, p.workspace_id)};
    // A replay cannot show the token (only its hash is stored): it says so instead.
    if (idem)
        detail::add_idempotency_plan(plans, *idem, 201,
                                     {{"agent", agent_json(id, name, type, now)},
                                      {"token", nullptr},
                                      {"token_note", "Shown once, in the first response. Rotate it if it was lost."}},
                                     now);
    try {
        static const strata::sql_template stored("SELECT 1 FROM agents WHERE id = ?");
        (void)run_unit(plans, stored.bind(id));
    } catch (const strata::error& e) {
        if (detail::is_unique_violation(e) && !(idem && find_idempotent(*idem)))
            fail(409, "agent_exists", "An agent named '" + name + "' already exists in this workspace.");
        throw;
    }
    write_result out{201, {{"agent", agent_json(id, name, type, now)}, {"token", token}}, {}};
    if (general_id) {
        recipients.push_back(id);
        out.events.push_back({"member.joined",
                              {{"channel", "general"}, {"agent_id", id_text(id)}, {"agent_name", name}},
                              std::move(recipients)});
    }
    return out;
}

write_result engine::rotate_token(const principal& p, const std::string& name) {
    if (p.is_agent() && p.agent_name != name)
        fail(403, "forbidden", "An agent can rotate only its own token; use the workspace key for others.");
    static const strata::sql_template rotate(
        "UPDATE agents SET previous_token_hash = token_hash, previous_token_expires_at = ?, token_hash = ? "
        "WHERE workspace_id = ? AND name = ? RETURNING id, name, type, created_at");
    static const strata::sql_template rotated(
        "SELECT id, name, type, created_at FROM agents WHERE workspace_id = ? AND name = ? AND token_hash = ?");
    const std::string token = new_agent_token();
    const std::string token_hash = sha256_hex(token);
    const std::int64_t grace_until = now_ms() + rotation_grace_ms;
    // A unit, not a bare statement, so that a lost COMMIT reply is resolved like every
    // other write: the new token's hash identifies the rotation. Answering 5xx after it
    // landed would lose the only copy of the new token.
    const strata::plan landed = rotated.bind(p.workspace_id, name, token_hash);
    const auto result = run_unit({rotate.bind(grace_until, token_hash, p.workspace_id, name)}, landed);
    const std::vector<strata::row> rows = result ? result->results.at(0).rows : db_.execute(landed).all();
    if (rows.empty()) fail(404, "agent_not_found", "No agent named '" + name + "' in this workspace.");
    const strata::row& r = rows.front();
    return {200,
            {{"agent",
              agent_json(r.get<std::int64_t>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::int64_t>(3))},
             {"token", token},
             {"previous_token_expires_at", iso8601(grace_until)}},
            {}};
}

json engine::list_agents(const principal& p, const page_request& page) const {
    // By name (unique in a workspace), in byte order on both databases.
    const detail::keyset by_name{.first_sql = queries_.in_byte_order("name"),
                                 .second_sql = "id",
                                 .first_column = "name",
                                 .second_column = "id",
                                 .kinds = {detail::key_kind::text, detail::key_kind::integer}};
    const auto request = by_name.request(page);
    const auto rows = detail::read_page(db_, request, [&](const auto& after, std::int64_t n) {
        return by_name.plan("SELECT id, name, type, created_at FROM agents WHERE workspace_id = ?",
                            {strata::value{p.workspace_id}}, after, n);
    });
    json agents = json::array();
    for (const strata::row& r : rows.rows)
        agents.push_back(
            agent_json(r.get<std::int64_t>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::int64_t>(3)));
    return detail::page_json(json::object(), "agents", std::move(agents), rows);
}

}  // namespace relay
