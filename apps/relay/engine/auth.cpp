// Bearer credentials: a workspace key or an agent token, looked up by SHA-256 hash. A
// rotated agent token keeps working until its grace period ends.
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/secrets.hpp"

namespace relay {
namespace {
bool well_formed(std::string_view token, std::string_view prefix) {
    if (token.substr(0, prefix.size()) != prefix) return false;
    const auto rest = token.substr(prefix.size());
    if (rest.size() != 32) return false;
    for (char c : rest)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
}  // namespace

std::optional<principal> engine::authenticate(std::string_view token) const {
    if (well_formed(token, workspace_key_prefix)) {
        static const strata::sql_template by_key("SELECT id FROM workspaces WHERE api_key_hash = ?");
        auto id = db_.execute(by_key.bind(sha256_hex(token))).first_as<std::int64_t>();
        if (!id) return std::nullopt;
        return principal{principal::kind::workspace, *id, 0, {}};
    }
    if (well_formed(token, agent_token_prefix)) {
        static const strata::sql_template by_token("SELECT id, workspace_id, name FROM agents WHERE token_hash = ?");
        static const strata::sql_template by_previous(
            "SELECT id, workspace_id, name FROM agents WHERE previous_token_hash = ? AND previous_token_expires_at > "
            "?");
        const std::string hash = sha256_hex(token);
        auto r = db_.execute(by_token.bind(hash)).first();
        if (!r) r = db_.execute(by_previous.bind(hash, now_ms())).first();
        if (!r) return std::nullopt;
        return principal{principal::kind::agent, r->get<std::int64_t>(1), r->get<std::int64_t>(0),
                         r->get<std::string>(2)};
    }
    return std::nullopt;
}

}  // namespace relay
