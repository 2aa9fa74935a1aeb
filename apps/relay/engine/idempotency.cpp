// Idempotency-Key records: looked up before a message-creating request runs; written by
// the request's own atomic unit (engine/message_writes.cpp), so they live with the
// message they created — in split mode the messages database first, then --db for the
// keys of requests served before the split.
#include "engine/engine.hpp"

namespace relay {

std::optional<stored_response> engine::find_idempotent(const idempotency_claim& c) const {
    static const strata::sql_template q(
        "SELECT request_hash, status_code, response FROM idempotency_keys "
        "WHERE workspace_id = ? AND actor_id = ? AND scope = ? AND key_hash = ?");
    for (const auto& s : messages_.primaries()) {
        auto r = s.db->execute(q.bind(c.workspace_id, c.actor_id, c.scope, c.key_hash)).first();
        if (r) return stored_response{r->get<unsigned>(1), json::parse(r->get<std::string>(2)), r->get<std::string>(0)};
    }
    return std::nullopt;
}

}  // namespace relay
