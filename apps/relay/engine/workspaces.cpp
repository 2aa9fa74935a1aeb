// Workspaces (with their `general` channel) and agents (with their tokens).
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/names.hpp"
#include "engine/secrets.hpp"

namespace relay {

namespace detail {
bool is_unique_violation(const std::exception& e) {
    const auto* se = dynamic_cast<const strata::error*>(&e);
    return se != nullptr && se->sql() && se->sql()->sqlstate == "23505";
}
}  // namespace detail

write_result engine::create_workspace(const std::string& name) {
    if (name.empty() || name.size() > 128) fail(400, "invalid_request", "name must be 1 to 128 characters.");
    static const strata::sql_template insert_workspace(
        "INSERT INTO workspaces(id, name, api_key_hash, created_at) VALUES (?, ?, ?, ?)");
    static const strata::sql_template insert_general(
        "INSERT INTO channels(id, workspace_id, name, channel_type, topic, created_by, created_at) "
        "VALUES (?, ?, 'general', 0, 'General discussion', NULL, ?)");
    const std::int64_t id = ids_.next();
    const std::int64_t now = now_ms();
    const std::string key = new_workspace_key();
    static const strata::sql_template stored("SELECT 1 FROM workspaces WHERE id = ?");
    (void)run_unit({insert_workspace.bind(id, name, sha256_hex(key), now), insert_general.bind(ids_.next(), id, now)},
                   stored.bind(id));
    return {201,
            {{"workspace", {{"id", id_text(id)}, {"name", name}, {"created_at", iso8601(now)}}}, {"api_key", key}},
            {}};
}

}  // namespace relay
