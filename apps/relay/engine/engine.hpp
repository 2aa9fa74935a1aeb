// The messaging engine: domain operations over strata, independent of HTTP.
//
// Every write does its reads first, then builds the list of plans for ONE atomic unit
// and runs it with strata::run_atomic_writes(require_atomic). Ids and timestamps are
// minted here, recipients are chosen by INSERT ... SELECT when the unit executes, and the
// events of a write are returned to the caller, who publishes them after the commit.
// In split mode (db/stores.hpp, decision 0014) the message side lives in the messages
// database: new message ids are strata::split::int64_ids, a send's unit runs there with
// the recipients read from the control plane first, and reads go through message_store.
// Errors the caller caused are api_error (4xx); anything else is a server fault.
#pragma once

#include <cstdint>
#include <optional>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/stores.hpp"
#include "engine/dialect_queries.hpp"
#include "engine/directory.hpp"
#include "engine/ids.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_store.hpp"
#include "engine/message_writes.hpp"
#include "engine/notices.hpp"
#include "engine/types.hpp"

namespace relay {

struct engine_options {
    std::string files_dir = "./data/files";
    // False only in tests: lets units run sequentially (not atomic) on a connection with
    // neither transactions nor batches.
    bool require_atomic = true;
    // What one workspace or agent may accumulate: without a cap, other agents could add
    // a victim to group DMs until every inbox read of the victim's is huge.
    std::int64_t max_group_dms_per_agent = 1000;
    std::int64_t max_channels_per_workspace = 10000;
    std::int64_t max_agents_per_workspace = 10000;
    // Sends share commits with concurrent sends to the same channel (strata commit_group)
    // and, where the database has an atomic batch (PostgreSQL), run as one.
    bool group_commit = true;
    bool write_batches = true;
    // The node id leased for this instance (db/node_lease.hpp): the worker bits of every
    // id it mints.
    int node_id = 0;
    // PostgreSQL: the notification channel every relay instance on the database listens
    // on (decision 0032). Set, a send's unit announces it there and its events are
    // published by the instances' listeners; unset (SQLite), by the writing process.
    std::optional<std::string> notify_channel{};
};

struct file_content {
    std::string filename;
    std::string content_type;
    std::string bytes;
};

class engine {
public:
    engine(const stores& databases, engine_options options);

    // --- auth (engine/auth.cpp)
    [[nodiscard]] std::optional<principal> authenticate(std::string_view bearer_token) const;

    // --- workspaces and agents
    [[nodiscard]] write_result create_workspace(const std::string& name);
    // Creating routes take the request's Idempotency-Key claim (http/routes.hpp
    // idempotent()); the record is written in the same unit as what it created.
    [[nodiscard]] write_result create_agent(const principal& p, const std::string& name, const std::string& type,
                                            const std::optional<idempotency_claim>& idem = std::nullopt);
    [[nodiscard]] write_result rotate_token(const principal& p, const std::string& name);
    [[nodiscard]] json list_agents(const principal& p, const page_request& page) const;

    // --- channels
    [[nodiscard]] write_result create_channel(const principal& p, const std::string& name,
                                              const std::optional<std::string>& topic,
                                              const std::optional<idempotency_claim>& idem = std::nullopt);
    [[nodiscard]] json list_channels(const principal& p, const page_request& page) const;
    [[nodiscard]] write_result join_channel(const principal& p, const std::string& name);
    [[nodiscard]] write_result leave_channel(const principal& p, const std::string& name);
    [[nodiscard]] json channel_members(const principal& p, const std::string& name, const page_request& page) const;

    // --- messages and threads
    [[nodiscard]] write_result send_channel_message(const principal& p, const std::string& channel,
                                                    const message_input& in,
                                                    const std::optional<idempotency_claim>& idem);
    [[nodiscard]] json channel_history(const principal& p, const std::string& channel, const page_query& q) const;
    [[nodiscard]] json get_message(const principal& p, std::int64_t id) const;
    [[nodiscard]] write_result reply(const principal& p, std::int64_t parent_id, const message_input& in,
                                     const std::optional<idempotency_claim>& idem);
    [[nodiscard]] json replies(const principal& p, std::int64_t parent_id, const page_request& page) const;

    // --- direct and group conversations
    [[nodiscard]] write_result send_dm(const principal& p, const std::string& to, const message_input& in,
                                       const std::optional<idempotency_claim>& idem);
    [[nodiscard]] json list_conversations(const principal& p, const page_request& page) const;
    [[nodiscard]] json conversation_history(const principal& p, const std::string& conversation_id,
                                            const page_query& q) const;
    [[nodiscard]] write_result create_group_dm(const principal& p, const std::vector<std::string>& participants,
                                               const std::optional<std::string>& name,
                                               const std::optional<idempotency_claim>& idem = std::nullopt);
    [[nodiscard]] write_result send_to_conversation(const principal& p, const std::string& conversation_id,
                                                    const message_input& in,
                                                    const std::optional<idempotency_claim>& idem);

    // --- read state and mailbox
    [[nodiscard]] write_result mark_read(const principal& p, std::int64_t message_id);
    [[nodiscard]] json readers(const principal& p, std::int64_t message_id, const page_request& page) const;
    // A message's deliveries (one per recipient) and their status; reads only.
    [[nodiscard]] json message_deliveries(const principal& p, std::int64_t message_id, const page_request& page) const;
    [[nodiscard]] json inbox(const principal& p) const;
    // after_seq: the deliveries after that seq (instead of a cursor), e.g. after a resync.
    [[nodiscard]] json list_deliveries(const principal& p, const std::string& status, const page_request& page,
                                       std::optional<std::int64_t> after_seq = std::nullopt);
    [[nodiscard]] write_result ack_delivery(const principal& p, const std::string& delivery_id);

    // --- files, search, console
    [[nodiscard]] write_result store_file(const principal& p, const std::string& filename,
                                          const std::string& content_type, const std::string& bytes,
                                          const std::optional<idempotency_claim>& idem = std::nullopt);
    [[nodiscard]] file_content read_file(const principal& p, std::int64_t id) const;
    [[nodiscard]] json search(const principal& p, const std::string& q, const std::optional<std::string>& channel,
                              const page_request& page) const;
    [[nodiscard]] json console_logs(const principal& p, const page_request& page) const;

    // --- idempotency
    [[nodiscard]] std::optional<stored_response> find_idempotent(const idempotency_claim& c) const;

    // --- realtime (engine/realtime.cpp): what the WebSocket hub reads to keep every
    // connection's delivery seqs whole, and the events of another instance's notification.
    // The agent's highest stored delivery seq (0: none).
    [[nodiscard]] std::int64_t delivery_position(std::int64_t agent_id) const;
    // The agent's deliveries after seq `after`, oldest first, at most `limit`, as
    // GET /v1/deliveries lists them (with the message); their status is left as it is.
    [[nodiscard]] std::vector<json> deliveries_after(std::int64_t agent_id, std::int64_t after,
                                                     std::size_t limit) const;
    // The events a notification announces (engine/notices.hpp), with what it left out
    // read by id. Empty for a payload that is not relay's.
    [[nodiscard]] std::vector<event> events_of_notice(const json& payload) const;

    // SELECT 1 through the pool.
    [[nodiscard]] bool healthy() const;

    [[nodiscard]] const strata::runtime& db() const noexcept { return db_; }
    [[nodiscard]] int node_id() const noexcept { return options_.node_id; }

private:
    // Runs one atomic unit on the control plane (require_atomic; transient failures
    // retried in transaction mode). A unit whose COMMIT outcome is unknown is looked up
    // with `landed` (engine/unit_outcome.hpp): std::nullopt means it was applied and its
    // results are lost; otherwise 503 outcome_unknown.
    std::optional<strata::atomic_result> run_unit(const std::vector<strata::plan>& plans,
                                                  const std::optional<strata::plan>& landed = std::nullopt) const;
    // The same on the primary of the store that owns `anchor` (a message id).
    std::optional<strata::atomic_result> run_message_unit(
        std::int64_t anchor, const std::vector<strata::plan>& plans,
        const std::optional<strata::plan>& landed = std::nullopt) const;
    // How a send to `channel_id` runs: grouped with concurrent sends to it, as a batch.
    [[nodiscard]] strata::atomic_options send_options(std::int64_t channel_id) const;
    // The unit of a send (engine/message_writes.hpp) on the store that owns its message,
    // announced as `a` (engine/notices.hpp); returns `status` and `response` with the
    // send's events.
    write_result run_send(detail::send_spec spec, const std::optional<idempotency_claim>& idem, unsigned status,
                          const json& response, const detail::send_announcement& a) const;
    // The caller's deliveries after `after` (where: extra SQL conditions on d), and
    // their JSON (engine/deliveries.cpp).
    [[nodiscard]] strata::split::page deliveries_page(std::int64_t agent_id, const std::string& where,
                                                      const std::optional<strata::split::key>& after,
                                                      std::int64_t limit) const;
    [[nodiscard]] std::vector<json> deliveries_json(const strata::split::page& cut) const;
    std::vector<detail::accepted_delivery> execute(const detail::send_spec& spec, strata::split::residency owner,
                                                   const std::optional<idempotency_claim>& idem, unsigned status,
                                                   const json& response) const;
    // A new message (or message log) id: version-1 when split, else a snowflake.
    [[nodiscard]] std::int64_t next_message_id() const;
    [[nodiscard]] const dialect_queries& queries_for(strata::split::residency r) const noexcept {
        return r == strata::split::residency::fresh ? fresh_queries_ : queries_;
    }
    [[nodiscard]] std::optional<detail::message_place> visible(const principal& p, std::int64_t message_id) const;

    const strata::runtime& db_;  // the control plane
    dialect dialect_;
    dialect_queries queries_;        // the control plane's dialect
    dialect_queries fresh_queries_;  // the messages database's (split mode)
    dialect fresh_dialect_;
    detail::directory names_;
    detail::message_store messages_;
    engine_options options_;
    strata::atomic_options atomic_;
    mutable id_generator ids_;
    mutable strata::split::int64_ids message_ids_;
};

}  // namespace relay
