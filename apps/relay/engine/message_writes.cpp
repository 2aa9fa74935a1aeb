#include "engine/message_writes.hpp"

#include <algorithm>
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/message_reads.hpp"

namespace relay::detail {

void add_message_plans(std::vector<strata::plan>& out, const new_message& m) {
    static const strata::sql_template insert_message(
        "INSERT INTO messages(id, workspace_id, channel_id, agent_id, thread_id, body, mentions, metadata, "
        "has_attachments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    static const strata::sql_template insert_attachment(
        "INSERT INTO message_attachments(message_id, file_id, position) VALUES (?, ?, ?)");
    const std::optional<std::string> metadata = m.metadata ? std::optional(m.metadata->dump()) : std::nullopt;
    out.push_back(insert_message.bind(m.id, m.workspace_id, m.channel_id, m.agent_id, m.thread_id, m.body,
                                      json(m.mentions).dump(), metadata, m.attachment_ids.empty() ? 0 : 1,
                                      m.created_at));
    for (std::size_t i = 0; i < m.attachment_ids.size(); ++i)
        out.push_back(insert_attachment.bind(m.id, m.attachment_ids[i], static_cast<std::int64_t>(i)));
}

namespace {

// The deliveries of exactly the recipients whose counter row this message claimed, each
// numbered by that row's delivery_seq. `counters` is the table aliased `a` and `key` its
// agent id column (agents.id, or delivery_counters.agent_id in split mode); `reason` is
// SQL — a fixed word, never user input, or a CASE whose parameters are `params`.
strata::plan claimed_deliveries(const new_message& m, std::string_view counters, std::string_view key,
                                const std::string& reason, std::vector<strata::value> reason_params) {
    std::vector<strata::value> params{strata::value{"del_" + id_text(m.id) + "_"}, strata::value{m.workspace_id},
                                      strata::value{m.id}};
    for (auto& v : reason_params) params.push_back(std::move(v));
    params.emplace_back(m.created_at);
    params.emplace_back(m.created_at);
    params.emplace_back(m.id);
    const std::string a_key = "a." + std::string(key);
    return strata::sql_plan(
        "INSERT INTO deliveries(id, workspace_id, message_id, agent_id, reason, status, seq, created_at, updated_at) "
        "SELECT ? || CAST(" +
            a_key + " AS TEXT), ?, ?, " + a_key + ", " + reason + ", 'queued', a.delivery_seq, ?, ? FROM " +
            std::string(counters) + " a WHERE a.delivery_claim = ? RETURNING id, agent_id, seq, reason",
        std::move(params));
}

}  // namespace

// Two statements choose the recipients and number their deliveries, gaplessly per agent,
// even with many sends at once:
//   1. UPDATE agents: each recipient's delivery_seq goes up by one and delivery_claim
//      is set to this message. On PostgreSQL a statement before it locks the
//      recipients' rows in id order (see dialect_queries) until the unit ends, so
//      concurrent sends to the same agent take turns; SQLite has one writer anyway.
//   2. INSERT ... SELECT FROM agents WHERE delivery_claim = this message: exactly the
//      agents statement 1 chose, with the seq it gave them.
// The recipient set is decided by statement 1 when the unit executes, never from a
// member list read earlier.
void add_delivery_plans(std::vector<strata::plan>& out, const dialect_queries& queries, const send_spec& spec) {
    const new_message& m = spec.message;
    const audience& to = spec.recipients;
    switch (to.type) {
        case audience::kind::channel_members:
            if (const auto& lock = queries.lock_channel_members()) out.push_back(lock->bind(to.channel_id, m.agent_id));
            out.push_back(queries.claim_channel_members().bind(m.id, to.channel_id, m.agent_id));
            break;
        case audience::kind::conversation_participants:
            if (const auto& lock = queries.lock_conversation_participants())
                out.push_back(lock->bind(to.conversation_id, m.agent_id));
            out.push_back(queries.claim_conversation_participants().bind(m.id, to.conversation_id, m.agent_id));
            break;
        case audience::kind::one_agent:  // one row: no order to keep
            out.push_back(queries.claim_one_agent().bind(m.id, to.agent_id, m.workspace_id, m.agent_id));
            break;
    }

    std::string reason = "'" + spec.reason + "'";
    std::vector<strata::value> reason_params;
    if (spec.reason == "message" && !m.mentions.empty()) {
        reason = "CASE WHEN a.name IN (" + placeholders(m.mentions.size()) + ") THEN 'mention' ELSE 'message' END";
        for (const auto& name : m.mentions) reason_params.emplace_back(name);
    }
    out.push_back(claimed_deliveries(m, "agents", "id", reason, std::move(reason_params)));
}

std::vector<listed_recipient> list_recipients(const strata::runtime& control, const send_spec& spec) {
    static const strata::sql_template members(
        "SELECT a.id, a.name, a.delivery_seq FROM channel_members cm JOIN agents a ON a.id = cm.agent_id "
        "WHERE cm.channel_id = ? AND a.id <> ? ORDER BY a.id");
    static const strata::sql_template participants(
        "SELECT a.id, a.name, a.delivery_seq FROM dm_participants dp JOIN agents a ON a.id = dp.agent_id "
        "WHERE dp.conversation_id = ? AND dp.left_at IS NULL AND a.id <> ? ORDER BY a.id");
    static const strata::sql_template one(
        "SELECT id, name, delivery_seq FROM agents WHERE id = ? AND workspace_id = ? AND id <> ?");
    const new_message& m = spec.message;
    const audience& to = spec.recipients;
    strata::plan q = to.type == audience::kind::channel_members ? members.bind(to.channel_id, m.agent_id)
                     : to.type == audience::kind::conversation_participants
                         ? participants.bind(to.conversation_id, m.agent_id)
                         : one.bind(to.agent_id, m.workspace_id, m.agent_id);
    std::vector<listed_recipient> out;
    for (const strata::row& r : control.execute(std::move(q)))
        out.push_back({r.get<std::int64_t>(0), r.get<std::string>(1), r.get<std::int64_t>(2)});
    return out;
}

// The recipients are values here, in id order (so concurrent sends lock counter rows in
// one order on PostgreSQL). 1: each recipient's counter goes up by one — or starts at
// the control plane's sequence + 1 — and is claimed by this message; 2: the deliveries
// of exactly the claimed counters, numbered by them.
void add_listed_delivery_plans(std::vector<strata::plan>& out, const send_spec& spec,
                               const std::vector<listed_recipient>& to) {
    if (to.empty()) return;
    const new_message& m = spec.message;
    std::vector<strata::value> counters;
    std::string rows;
    for (const auto& r : to) {
        rows += rows.empty() ? "(?, ?, ?)" : ", (?, ?, ?)";
        counters.emplace_back(r.id);
        counters.emplace_back(r.legacy_seq + 1);
        counters.emplace_back(m.id);
    }
    out.push_back(strata::sql_plan("INSERT INTO delivery_counters(agent_id, delivery_seq, delivery_claim) VALUES " +
                                       rows +
                                       " ON CONFLICT (agent_id) DO UPDATE SET delivery_seq = "
                                       "delivery_counters.delivery_seq + 1, delivery_claim = excluded.delivery_claim",
                                   std::move(counters)));

    std::string reason = "'" + spec.reason + "'";
    std::vector<strata::value> reason_params;
    if (spec.reason == "message") {
        for (const auto& r : to)
            if (std::find(m.mentions.begin(), m.mentions.end(), r.name) != m.mentions.end())
                reason_params.emplace_back(r.id);
        if (!reason_params.empty())
            reason = "CASE WHEN a.agent_id IN (" + placeholders(reason_params.size()) +
                     ") THEN 'mention' ELSE 'message' END";
    }
    out.push_back(claimed_deliveries(m, "delivery_counters", "agent_id", reason, std::move(reason_params)));
}

void add_idempotency_plan(std::vector<strata::plan>& out, const idempotency_claim& c, unsigned status, const json& data,
                          std::int64_t now) {
    static const strata::sql_template insert(
        "INSERT INTO idempotency_keys(workspace_id, actor_id, scope, key_hash, request_hash, status_code, response, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    out.push_back(insert.bind(c.workspace_id, c.actor_id, c.scope, c.key_hash, c.request_hash,
                              static_cast<std::int64_t>(status), data.dump(), now));
}

namespace {
void add_log_plan(std::vector<strata::plan>& out, const send_spec& spec) {
    static const strata::sql_template insert(
        "INSERT INTO message_logs(id, workspace_id, message_id, channel_id, agent_id, conversation_id, delivery_kind, "
        "body, attachment_count, mention_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const new_message& m = spec.message;
    out.push_back(insert.bind(spec.log_id, m.workspace_id, m.id, m.channel_id, m.agent_id, spec.conversation_id,
                              *spec.log_kind, m.body, static_cast<std::int64_t>(m.attachment_ids.size()),
                              static_cast<std::int64_t>(m.mentions.size()), m.created_at));
}
}  // namespace

std::vector<accepted_delivery> execute_send(const unit_runner& run, const strata::runtime& store,
                                            const dialect_queries& queries,
                                            const send_spec& spec, const std::vector<listed_recipient>* listed,
                                            const std::optional<idempotency_claim>& idem, unsigned status,
                                            const json& response) {
    std::vector<strata::plan> plans;
    if (!listed && spec.recipients.type != audience::kind::one_agent && queries.lock_channel())
        plans.push_back(queries.lock_channel()->bind(spec.message.channel_id));
    add_message_plans(plans, spec.message);
    const std::size_t before_deliveries = plans.size();
    if (listed)
        add_listed_delivery_plans(plans, spec, *listed);
    else
        add_delivery_plans(plans, queries, spec);
    const bool has_deliveries = plans.size() > before_deliveries;
    const std::size_t deliveries_at = plans.size() - 1;  // the last delivery plan, when there is one
    if (spec.log_kind) add_log_plan(plans, spec);
    if (spec.notice) plans.push_back(*spec.notice);  // reads the deliveries above
    if (idem) add_idempotency_plan(plans, *idem, status, response, spec.message.created_at);
    static const strata::sql_template stored("SELECT 1 FROM messages WHERE id = ?");
    static const strata::sql_template stored_deliveries(
        "SELECT id, agent_id, seq, reason FROM deliveries WHERE message_id = ?");
    const std::optional<strata::atomic_result> result = run(plans, stored.bind(spec.message.id));
    std::vector<accepted_delivery> out;
    if (!has_deliveries) return out;
    auto add = [&](const strata::row& r) {
        out.push_back({r.get<std::string>(0), r.get<std::int64_t>(1), r.get<std::int64_t>(2), r.get<std::string>(3)});
    };
    if (result) {
        for (const strata::row& r : result->results.at(deliveries_at).rows) add(r);
    } else {  // it landed, its reply was lost: the unit wrote exactly these
        for (const strata::row& r : store.execute(stored_deliveries.bind(spec.message.id))) add(r);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.agent_id < b.agent_id; });
    return out;
}

std::vector<std::string> parse_mentions(std::string_view text) {
    std::vector<std::string> out;
    auto name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    };
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    for (std::size_t i = 0; i < text.size() && out.size() < 20; ++i) {
        if (text[i] != '@' || (i > 0 && !space(text[i - 1]))) continue;
        std::size_t j = i + 1;
        while (j < text.size() && j - i - 1 < 64 && name_char(text[j])) ++j;
        if (j == i + 1) continue;
        std::string name(text.substr(i + 1, j - i - 1));
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
        i = j - 1;
    }
    return out;
}

resolved_attachments resolve_attachments(const strata::runtime& db, std::int64_t workspace_id,
                                         const std::vector<std::string>& file_ids) {
    resolved_attachments out;
    if (file_ids.empty()) return out;
    if (file_ids.size() > 10) fail(400, "invalid_attachments", "A message can attach at most 10 files.");
    std::vector<strata::value> params{strata::value{workspace_id}};
    for (const auto& text : file_ids) {
        auto id = parse_id(text);
        if (!id) fail(400, "invalid_attachments", "Attachment '" + text + "' is not a file id.");
        if (std::find(out.ids.begin(), out.ids.end(), *id) != out.ids.end())
            fail(400, "invalid_attachments", "File " + text + " is attached twice.");
        out.ids.push_back(*id);
        params.emplace_back(*id);
    }
    const std::string text =
        "SELECT id, filename, content_type, size_bytes FROM files WHERE workspace_id = ? AND "
        "status = 'complete' AND id IN (" +
        placeholders(out.ids.size()) + ")";
    std::map<std::int64_t, json> found;
    for (const strata::row& r : db.execute(strata::sql_plan(text, std::move(params))))
        found[r.get<std::int64_t>(0)] = {{"id", id_text(r.get<std::int64_t>(0))},
                                         {"filename", r.get<std::string>(1)},
                                         {"content_type", r.get<std::string>(2)},
                                         {"size_bytes", r.get<std::int64_t>(3)}};
    for (std::int64_t id : out.ids) {
        auto it = found.find(id);
        if (it == found.end())
            fail(400, "invalid_attachments", "File " + id_text(id) + " is not an uploaded file of this workspace.");
        out.files.push_back(it->second);
    }
    return out;
}

json new_message_json(const new_message& m, const std::string& agent_name,
                      const std::optional<std::string>& channel_name, const std::optional<std::string>& conversation_id,
                      const json& attachments) {
    return {{"id", id_text(m.id)},
            {"channel", channel_name ? json(*channel_name) : json(nullptr)},
            {"conversation_id", conversation_id ? json(*conversation_id) : json(nullptr)},
            {"agent_id", id_text(m.agent_id)},
            {"agent_name", agent_name},
            {"text", m.body},
            {"thread_id", m.thread_id ? json(id_text(*m.thread_id)) : json(nullptr)},
            {"mentions", m.mentions},
            {"attachments", attachments},
            {"metadata", m.metadata ? *m.metadata : json(nullptr)},
            {"created_at", iso8601(m.created_at)}};
}

}  // namespace relay::detail
