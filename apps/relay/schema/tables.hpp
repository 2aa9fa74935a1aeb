// relay's tables, declared with strata's schema declarations (strata/schema.hpp): the
// source of the contract that strata::migrate applies and verifies. Named as in the
// reference engine. Ids are 64-bit integers minted by the application (snowflakes),
// except conversation and delivery ids, which are text derived from other ids.
// Timestamps are integer milliseconds since the Unix epoch.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <strata/schema.hpp>
#include <string>
#include <string_view>
#include <tuple>

namespace relay::schema::tables {

using strata::column;
using strata::index_declaration;
using strata::unique_declaration;
using id_t = std::int64_t;
using opt_id = std::optional<std::int64_t>;
using opt_text = std::optional<std::string>;

inline constexpr strata::foreign_key workspace_ref{"workspaces", "id", "CASCADE"};
inline constexpr strata::foreign_key agent_ref{"agents", "id", "CASCADE"};
inline constexpr strata::foreign_key channel_ref{"channels", "id", "CASCADE"};
inline constexpr strata::foreign_key message_ref{"messages", "id", "CASCADE"};
inline constexpr strata::foreign_key no_ref{};

// The message-side tables exist twice: in the one database of a single-database relay
// (Linked: with foreign keys to workspaces, agents, channels and files) and in the
// messages database of a split relay (not linked: those rows stay on the control plane,
// and a reply may answer a message that lives in the other database). The control-plane
// references of a table are written link(...): kept when linked, dropped when not.
template <bool Linked>
constexpr strata::foreign_key link(strata::foreign_key k) {
    return Linked ? k : no_ref;
}

struct workspaces {
    static constexpr std::string_view table_name = "workspaces";
    static constexpr column<workspaces, id_t> id{"id", {.primary_key = true}};
    static constexpr column<workspaces, std::string> name{"name"};
    static constexpr column<workspaces, std::string> api_key_hash{"api_key_hash", {.unique = true}};  // sha256
    static constexpr column<workspaces, id_t> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id, name, api_key_hash, created_at};
};

// delivery_seq: the agent's delivery sequence high-water mark. delivery_claim: the
// message whose deliveries statement may read it (engine/message_writes.cpp).
struct agents {
    static constexpr std::string_view table_name = "agents";
    static constexpr column<agents, id_t> id{"id", {.primary_key = true}};
    static constexpr column<agents, id_t> workspace_id{"workspace_id", {.references = workspace_ref}};
    static constexpr column<agents, std::string> name{"name"};
    static constexpr column<agents, std::string> type{"type", {.default_sql = "'agent'"}};
    static constexpr column<agents, std::string> token_hash{"token_hash", {.unique = true}};  // sha256
    static constexpr column<agents, opt_text> previous_token_hash{"previous_token_hash"};
    static constexpr column<agents, opt_id> previous_token_expires_at{"previous_token_expires_at"};
    static constexpr column<agents, id_t> delivery_seq{"delivery_seq", {.default_sql = "0"}};
    static constexpr column<agents, opt_id> delivery_claim{"delivery_claim"};
    static constexpr column<agents, id_t> created_at{"created_at"};
    static constexpr auto columns = std::tuple{
        id,           workspace_id,   name,      type, token_hash, previous_token_hash, previous_token_expires_at,
        delivery_seq, delivery_claim, created_at};
    static constexpr std::array constraints{unique_declaration{{"workspace_id", "name"}}};
    static constexpr std::array indexes{index_declaration{"agents_previous_token", {"previous_token_hash"}},
                                        index_declaration{"agents_delivery_claim", {"delivery_claim"}}};
};

// channel_type: 0 channel, 1 one-to-one DM, 2 group DM (DMs live in hidden channels).
struct channels {
    static constexpr std::string_view table_name = "channels";
    static constexpr column<channels, id_t> id{"id", {.primary_key = true}};
    static constexpr column<channels, id_t> workspace_id{"workspace_id", {.references = workspace_ref}};
    static constexpr column<channels, std::string> name{"name"};
    static constexpr column<channels, id_t> channel_type{"channel_type", {.default_sql = "0"}};
    static constexpr column<channels, opt_text> topic{"topic"};
    static constexpr column<channels, opt_id> created_by{"created_by"};
    static constexpr column<channels, id_t> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id, workspace_id, name, channel_type, topic, created_by, created_at};
    static constexpr std::array constraints{unique_declaration{{"workspace_id", "name"}}};
};

struct channel_members {
    static constexpr std::string_view table_name = "channel_members";
    static constexpr column<channel_members, id_t> channel_id{"channel_id", {.references = channel_ref}};
    static constexpr column<channel_members, id_t> agent_id{"agent_id", {.references = agent_ref}};
    static constexpr column<channel_members, std::string> role{"role", {.default_sql = "'member'"}};
    static constexpr column<channel_members, id_t> joined_at{"joined_at"};
    static constexpr column<channel_members, opt_id> last_read_id{"last_read_id"};
    static constexpr auto columns = std::tuple{channel_id, agent_id, role, joined_at, last_read_id};
    static constexpr std::array constraints{unique_declaration{{"channel_id", "agent_id"}, true}};
    static constexpr std::array indexes{index_declaration{"channel_members_agent", {"agent_id"}}};
};

// thread_id: the root message of a thread (threads are one level deep).
template <bool Linked>
struct messages_table {
    static constexpr std::string_view table_name = "messages";
    static constexpr column<messages_table, id_t> id{"id", {.primary_key = true}};
    static constexpr column<messages_table, id_t> workspace_id{"workspace_id",
                                                               {.references = link<Linked>(workspace_ref)}};
    static constexpr column<messages_table, id_t> channel_id{"channel_id", {.references = link<Linked>(channel_ref)}};
    static constexpr column<messages_table, id_t> agent_id{"agent_id", {.references = link<Linked>(agent_ref)}};
    static constexpr column<messages_table, opt_id> thread_id{"thread_id", {.references = link<Linked>(message_ref)}};
    static constexpr column<messages_table, std::string> body{"body"};
    static constexpr column<messages_table, std::string> mentions{"mentions", {.default_sql = "'[]'"}};
    static constexpr column<messages_table, opt_text> metadata{"metadata"};
    static constexpr column<messages_table, id_t> has_attachments{"has_attachments", {.default_sql = "0"}};
    static constexpr column<messages_table, id_t> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id,   workspace_id, channel_id, agent_id,        thread_id,
                                               body, mentions,     metadata,   has_attachments, created_at};
    // (created_at, id): the time-ordered lists (decision 0014). Earlier relays made the
    // *_time indexes at every start outside the contract; migrating adopts them (a planned
    // index whose name exists is taken as made, docs/decisions/0033).
    static constexpr std::array indexes{index_declaration{"messages_channel", {"channel_id", "id"}},
                                        index_declaration{"messages_thread", {"thread_id", "id"}},
                                        index_declaration{"messages_workspace", {"workspace_id", "id"}},
                                        index_declaration{"messages_channel_time", {"channel_id", "created_at", "id"}},
                                        index_declaration{"messages_thread_time", {"thread_id", "created_at", "id"}}};
};
using messages = messages_table<true>;

template <bool Linked>
struct message_logs_table {
    static constexpr std::string_view table_name = "message_logs";
    static constexpr column<message_logs_table, id_t> id{"id", {.primary_key = true}};
    static constexpr column<message_logs_table, id_t> workspace_id{"workspace_id",
                                                                   {.references = link<Linked>(workspace_ref)}};
    static constexpr column<message_logs_table, id_t> message_id{"message_id",
                                                                 {.unique = true, .references = message_ref}};
    static constexpr column<message_logs_table, id_t> channel_id{"channel_id"};
    static constexpr column<message_logs_table, id_t> agent_id{"agent_id"};
    static constexpr column<message_logs_table, opt_text> conversation_id{"conversation_id"};
    static constexpr column<message_logs_table, std::string> delivery_kind{"delivery_kind"};  // channel | dm
    static constexpr column<message_logs_table, std::string> body{"body"};
    static constexpr column<message_logs_table, id_t> attachment_count{"attachment_count"};
    static constexpr column<message_logs_table, id_t> mention_count{"mention_count"};
    static constexpr column<message_logs_table, id_t> created_at{"created_at"};
    static constexpr auto columns =
        std::tuple{id,   workspace_id,     message_id,    channel_id, agent_id, conversation_id, delivery_kind,
                   body, attachment_count, mention_count, created_at};
    static constexpr std::array indexes{
        index_declaration{"message_logs_workspace", {"workspace_id", "id"}},
        index_declaration{"message_logs_workspace_time", {"workspace_id", "created_at", "id"}}};
};
using message_logs = message_logs_table<true>;

// One row per recipient: status queued -> delivered -> acked; reason message | mention |
// thread-reply | dm; seq gapless per agent.
template <bool Linked>
struct deliveries_table {
    static constexpr std::string_view table_name = "deliveries";
    static constexpr column<deliveries_table, std::string> id{"id", {.primary_key = true}};
    static constexpr column<deliveries_table, id_t> workspace_id{"workspace_id",
                                                                 {.references = link<Linked>(workspace_ref)}};
    static constexpr column<deliveries_table, id_t> message_id{"message_id", {.references = message_ref}};
    static constexpr column<deliveries_table, id_t> agent_id{"agent_id", {.references = link<Linked>(agent_ref)}};
    static constexpr column<deliveries_table, std::string> reason{"reason"};
    static constexpr column<deliveries_table, std::string> status{"status", {.default_sql = "'queued'"}};
    static constexpr column<deliveries_table, id_t> seq{"seq"};
    static constexpr column<deliveries_table, id_t> created_at{"created_at"};
    static constexpr column<deliveries_table, opt_id> delivered_at{"delivered_at"};
    static constexpr column<deliveries_table, opt_id> acked_at{"acked_at"};
    static constexpr column<deliveries_table, id_t> updated_at{"updated_at"};
    static constexpr auto columns = std::tuple{id,  workspace_id, message_id,   agent_id, reason,    status,
                                               seq, created_at,   delivered_at, acked_at, updated_at};
    static constexpr std::array constraints{unique_declaration{{"message_id", "agent_id"}},
                                            unique_declaration{{"workspace_id", "agent_id", "seq"}}};
    static constexpr std::array indexes{index_declaration{"deliveries_agent_status", {"agent_id", "status", "seq"}}};
};
using deliveries = deliveries_table<true>;

template <bool Linked>
struct read_receipts_table {
    static constexpr std::string_view table_name = "read_receipts";
    static constexpr column<read_receipts_table, id_t> message_id{"message_id", {.references = message_ref}};
    static constexpr column<read_receipts_table, id_t> agent_id{"agent_id", {.references = link<Linked>(agent_ref)}};
    static constexpr column<read_receipts_table, id_t> read_at{"read_at"};
    static constexpr auto columns = std::tuple{message_id, agent_id, read_at};
    static constexpr std::array constraints{unique_declaration{{"message_id", "agent_id"}, true}};
};
using read_receipts = read_receipts_table<true>;

struct files {
    static constexpr std::string_view table_name = "files";
    static constexpr column<files, id_t> id{"id", {.primary_key = true}};
    static constexpr column<files, id_t> workspace_id{"workspace_id", {.references = workspace_ref}};
    static constexpr column<files, opt_id> uploaded_by{"uploaded_by"};
    static constexpr column<files, std::string> filename{"filename"};
    static constexpr column<files, std::string> content_type{"content_type"};
    static constexpr column<files, id_t> size_bytes{"size_bytes"};
    static constexpr column<files, std::string> storage_key{"storage_key"};
    static constexpr column<files, std::string> status{"status"};
    static constexpr column<files, id_t> created_at{"created_at"};
    static constexpr auto columns =
        std::tuple{id, workspace_id, uploaded_by, filename, content_type, size_bytes, storage_key, status, created_at};
};

template <bool Linked>
struct message_attachments_table {
    static constexpr std::string_view table_name = "message_attachments";
    static constexpr column<message_attachments_table, id_t> message_id{"message_id", {.references = message_ref}};
    static constexpr column<message_attachments_table, id_t> file_id{
        "file_id", {.references = link<Linked>({"files", "id", "CASCADE"})}};
    static constexpr column<message_attachments_table, id_t> position{"position"};
    static constexpr auto columns = std::tuple{message_id, file_id, position};
    static constexpr std::array constraints{unique_declaration{{"message_id", "file_id"}, true}};
};
using message_attachments = message_attachments_table<true>;

// dm_type '1:1' | 'group'. A one-to-one id is derived from the pair, so it is stable.
struct dm_conversations {
    static constexpr std::string_view table_name = "dm_conversations";
    static constexpr column<dm_conversations, std::string> id{"id", {.primary_key = true}};
    static constexpr column<dm_conversations, id_t> workspace_id{"workspace_id", {.references = workspace_ref}};
    static constexpr column<dm_conversations, id_t> channel_id{"channel_id",
                                                               {.unique = true, .references = channel_ref}};
    static constexpr column<dm_conversations, std::string> dm_type{"dm_type"};
    static constexpr column<dm_conversations, opt_text> name{"name"};
    static constexpr column<dm_conversations, id_t> created_at{"created_at"};
    static constexpr auto columns = std::tuple{id, workspace_id, channel_id, dm_type, name, created_at};
};

struct dm_participants {
    static constexpr std::string_view table_name = "dm_participants";
    static constexpr column<dm_participants, std::string> conversation_id{
        "conversation_id", {.references = {"dm_conversations", "id", "CASCADE"}}};
    static constexpr column<dm_participants, id_t> agent_id{"agent_id", {.references = agent_ref}};
    static constexpr column<dm_participants, id_t> joined_at{"joined_at"};
    static constexpr column<dm_participants, opt_id> left_at{"left_at"};
    static constexpr column<dm_participants, opt_id> last_read_id{"last_read_id"};
    static constexpr auto columns = std::tuple{conversation_id, agent_id, joined_at, left_at, last_read_id};
    static constexpr std::array constraints{unique_declaration{{"conversation_id", "agent_id"}, true}};
    static constexpr std::array indexes{index_declaration{"dm_participants_agent", {"agent_id"}}};
};

// Idempotency-Key records, written in the same atomic unit as the message they created,
// holding the response a replay returns.
template <bool Linked>
struct idempotency_keys_table {
    static constexpr std::string_view table_name = "idempotency_keys";
    static constexpr column<idempotency_keys_table, id_t> workspace_id{"workspace_id",
                                                                       {.references = link<Linked>(workspace_ref)}};
    static constexpr column<idempotency_keys_table, id_t> actor_id{"actor_id"};
    static constexpr column<idempotency_keys_table, std::string> scope{"scope"};
    static constexpr column<idempotency_keys_table, std::string> key_hash{"key_hash"};
    static constexpr column<idempotency_keys_table, std::string> request_hash{"request_hash"};
    static constexpr column<idempotency_keys_table, id_t> status_code{"status_code"};
    static constexpr column<idempotency_keys_table, std::string> response{"response"};
    static constexpr column<idempotency_keys_table, id_t> created_at{"created_at"};
    static constexpr auto columns =
        std::tuple{workspace_id, actor_id, scope, key_hash, request_hash, status_code, response, created_at};
    static constexpr std::array constraints{
        unique_declaration{{"workspace_id", "actor_id", "scope", "key_hash"}, true}};
};
using idempotency_keys = idempotency_keys_table<true>;

// Messages database of a split relay only: each agent's delivery sequence, which a
// single-database relay keeps in agents.delivery_seq / delivery_claim (same meaning).
// A row is created by the agent's first delivery in the messages database, seeded from
// agents.delivery_seq on the control plane so the sequence goes on without a gap.
struct delivery_counters {
    static constexpr std::string_view table_name = "delivery_counters";
    static constexpr column<delivery_counters, id_t> agent_id{"agent_id", {.primary_key = true}};
    static constexpr column<delivery_counters, id_t> delivery_seq{"delivery_seq"};
    static constexpr column<delivery_counters, opt_id> delivery_claim{"delivery_claim"};
    static constexpr auto columns = std::tuple{agent_id, delivery_seq, delivery_claim};
    static constexpr std::array indexes{index_declaration{"delivery_counters_claim", {"delivery_claim"}}};
};

// Node-id leases (db/node_lease.hpp, decision 0032), control plane only: a row per id a
// live instance holds (0..1023, the snowflake's worker bits), in the database's clock.
struct relay_nodes {
    static constexpr std::string_view table_name = "relay_nodes";
    static constexpr column<relay_nodes, id_t> node_id{"node_id", {.primary_key = true}};
    static constexpr column<relay_nodes, std::string> holder{"holder"};
    static constexpr column<relay_nodes, id_t> heartbeat_at{"heartbeat_at"};
    static constexpr column<relay_nodes, id_t> expires_at{"expires_at"};
    static constexpr auto columns = std::tuple{node_id, holder, heartbeat_at, expires_at};
};

}  // namespace relay::schema::tables
