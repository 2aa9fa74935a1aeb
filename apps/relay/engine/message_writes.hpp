// The plans of the message-creating write paths (internal to the engine): the message
// with its attachments, the per-recipient deliveries chosen at execution time, the
// message log and the idempotency record. All plans of a send go into ONE atomic unit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "engine/dialect_queries.hpp"
#include "engine/types.hpp"

namespace relay::detail {

struct new_message {
    std::int64_t id = 0;
    std::int64_t workspace_id = 0;
    std::int64_t channel_id = 0;
    std::int64_t agent_id = 0;
    std::optional<std::int64_t> thread_id{};
    std::string body;
    std::vector<std::string> mentions{};
    std::optional<json> metadata{};
    std::vector<std::int64_t> attachment_ids{};
    std::int64_t created_at = 0;
};

// Who receives deliveries, decided when the unit executes (never from a list read
// earlier): the channel's members, a conversation's active participants, or one agent.
// The sender never gets a delivery of their own message.
struct audience {
    enum class kind { channel_members, conversation_participants, one_agent };
    kind type = kind::channel_members;
    std::int64_t channel_id = 0;
    std::string conversation_id{};
    std::int64_t agent_id = 0;
};

struct send_spec {
    new_message message;
    audience recipients;
    // "message" (becomes "mention" for mentioned agents), "thread-reply" or "dm".
    std::string reason = "message";
    std::optional<std::string> log_kind{};  // "channel" | "dm": write a message_logs row
    std::optional<std::string> conversation_id{};
    std::int64_t log_id = 0;
    // The notification announcing the unit (engine/notices.hpp): after the deliveries it
    // reads, before the idempotency record (kept last: a record means the unit is whole).
    std::optional<strata::plan> notice{};
};

struct accepted_delivery {
    std::string id;
    std::int64_t agent_id = 0;
    std::int64_t seq = 0;
    std::string reason;
};

// A recipient read from the control plane before the unit (split mode, where the unit
// runs on the messages database and cannot select them): id, name and the delivery
// sequence the control plane had for it (agents.delivery_seq), which seeds its counter.
struct listed_recipient {
    std::int64_t id = 0;
    std::string name;
    std::int64_t legacy_seq = 0;
};

// Runs a unit (engine::run_message_unit): std::nullopt when its outcome was unknown and
// the `landed` probe found it applied (its RETURNING rows are lost).
using unit_runner = std::function<std::optional<strata::atomic_result>(const std::vector<strata::plan>&,
                                                                       const std::optional<strata::plan>& landed)>;

// Builds the unit of a send (plus the idempotency record holding `response` when a
// claim is given), runs it, and returns the deliveries the unit created. Recipients are
// chosen by the unit (`listed` null: one database) or given (`listed`: split mode).
// When the unit's outcome was unknown and it had landed, the deliveries are read back
// from `store`, the database the unit ran on.
[[nodiscard]] std::vector<accepted_delivery> execute_send(const unit_runner& run, const strata::runtime& store,
                                                          const dialect_queries& queries,
                                                          const send_spec& spec,
                                                          const std::vector<listed_recipient>* listed,
                                                          const std::optional<idempotency_claim>& idem, unsigned status,
                                                          const json& response);

// Split mode: the recipients of a send as the control plane has them now, by id. A
// member who joins after this read and before the unit commits gets no delivery of
// this message (decision 0014).
[[nodiscard]] std::vector<listed_recipient> list_recipients(const strata::runtime& control, const send_spec& spec);

// The plans, exposed for tests that count a unit's statements.
void add_message_plans(std::vector<strata::plan>& out, const new_message& m);
void add_delivery_plans(std::vector<strata::plan>& out, const dialect_queries& queries, const send_spec& spec);
// Split mode: the same two steps on the messages database's delivery_counters (upsert
// with the given recipients, seeded from legacy_seq + 1), nothing when there are none.
void add_listed_delivery_plans(std::vector<strata::plan>& out, const send_spec& spec,
                               const std::vector<listed_recipient>& to);
void add_idempotency_plan(std::vector<strata::plan>& out, const idempotency_claim& c, unsigned status, const json& data,
                          std::int64_t now);

// "@name" tokens of a text (start or after whitespace), unique, in order, at most 20.
[[nodiscard]] std::vector<std::string> parse_mentions(std::string_view text);

// The files a message attaches: each id must be a complete file of the workspace
// (400 invalid_attachments). Returns their ids and their JSON, in the order given.
struct resolved_attachments {
    std::vector<std::int64_t> ids;
    json files = json::array();
};
[[nodiscard]] resolved_attachments resolve_attachments(const strata::runtime& db, std::int64_t workspace_id,
                                                       const std::vector<std::string>& file_ids);

// The message object of a message that is being created (no database read needed).
[[nodiscard]] json new_message_json(const new_message& m, const std::string& agent_name,
                                    const std::optional<std::string>& channel_name,
                                    const std::optional<std::string>& conversation_id, const json& attachments);

}  // namespace relay::detail
