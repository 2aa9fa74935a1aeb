// Reads of the control plane the engine's routes share (internal to the engine), and
// who may see a message.
#pragma once

#include <cstdint>
#include <optional>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "engine/directory.hpp"
#include "engine/message_store.hpp"
#include "engine/types.hpp"

namespace relay::detail {

// Where a message lives, and whether the caller may see it.
struct message_place {
    std::int64_t id = 0;
    std::int64_t workspace_id = 0;
    std::int64_t channel_id = 0;
    int channel_type = 0;  // 0 channel, 1 DM, 2 group DM
    std::string channel_name;
    std::optional<std::int64_t> thread_id;
    std::optional<std::string> conversation_id;
    std::optional<std::string> conversation_type;
    strata::split::residency from = strata::split::residency::legacy;
    message_record record{};
};
// The message if it exists in the caller's workspace and the caller is a member of its
// channel (or an active participant of its conversation); else nullopt. The message is
// read by id from its store; channel and membership from the control plane.
[[nodiscard]] std::optional<message_place> visible_message(const strata::runtime& control, const message_store& store,
                                                           const directory& names, const principal& p,
                                                           std::int64_t message_id);

// Channels and conversations.
struct channel_ref {
    std::int64_t id = 0;
    std::string name;
    int channel_type = 0;
};
// A regular channel (type 0) of the workspace by name; 404 channel_not_found otherwise.
[[nodiscard]] channel_ref require_channel(const strata::runtime& db, std::int64_t workspace_id,
                                          const std::string& name);
[[nodiscard]] bool is_member(const strata::runtime& db, std::int64_t channel_id, std::int64_t agent_id);

struct conversation_ref {
    std::string id;
    std::int64_t channel_id = 0;
    std::string dm_type;  // "1:1" or "group"
    std::optional<std::string> name;
};
// 404 conversation_not_found unless it exists in the caller's workspace.
[[nodiscard]] conversation_ref require_conversation(const strata::runtime& db, std::int64_t workspace_id,
                                                    const std::string& id);
[[nodiscard]] bool is_active_participant(const strata::runtime& db, const std::string& conversation_id,
                                         std::int64_t agent_id);

// Agents of the workspace by name (all must exist: 404 agent_not_found names the first
// missing one). Returns (id, name) in the order given, duplicates removed.
[[nodiscard]] std::vector<std::pair<std::int64_t, std::string>> require_agents(const strata::runtime& db,
                                                                               std::int64_t workspace_id,
                                                                               const std::vector<std::string>& names);

// Caller checks.
void require_agent_caller(const principal& p);      // 403 agent_token_required
void require_workspace_caller(const principal& p);  // 403 workspace_key_required

// "?, ?, ?" for an IN list of n values.
[[nodiscard]] std::string placeholders(std::size_t n);

}  // namespace relay::detail
