#include "http/routes.hpp"

#include "engine/api_error.hpp"
#include "engine/secrets.hpp"
#include "http/envelope.hpp"

namespace relay::http {

void add_routes(router& r, services& s) {
    add_workspace_routes(r, s);
    add_channel_routes(r, s);
    add_message_routes(r, s);
    add_dm_routes(r, s);
    add_mailbox_routes(r, s);
    add_file_routes(r, s);
    add_system_routes(r, s);
    add_static_routes(r);
}

principal authenticate(const services& s, const request& r) {
    if (r.caller) return *r.caller;  // checked from the header, before the body was read
    constexpr std::string_view prefix = "Bearer ";
    if (r.authorization.empty())
        fail(401, "unauthorized", "Send Authorization: Bearer <workspace key or agent token>.");
    if (r.authorization.substr(0, prefix.size()) != prefix)
        fail(401, "unauthorized", "The Authorization header must be 'Bearer <token>'.");
    auto p = s.eng.authenticate(std::string_view(r.authorization).substr(prefix.size()));
    if (!p) fail(401, "invalid_token", "The workspace key or agent token is not valid.");
    return *p;
}

reply committed(services& s, write_result&& result) {
    s.bus.publish(result);
    return ok(result.status, result.data);
}

namespace {
reply replay(const stored_response& stored, const std::string& request_hash) {
    if (stored.request_hash != request_hash)
        fail(409, "idempotency_key_reused", "This Idempotency-Key was used for a different request.");
    reply out = ok(stored.status, stored.data);
    out.headers.emplace_back("Idempotency-Replayed", "true");
    return out;
}
}  // namespace

reply idempotent(services& s, const request& r, const principal& p, const std::string& scope,
                 const std::function<write_result(const std::optional<idempotency_claim>&)>& write) {
    if (!r.idempotency_key) return committed(s, write(std::nullopt));
    const std::string& key = *r.idempotency_key;
    bool visible = !key.empty() && key.size() <= 255;
    for (unsigned char c : key) visible = visible && c >= 0x21 && c <= 0x7e;
    if (!visible) fail(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
    std::string target = r.path;  // with the query (a file's name travels there), in key order
    for (const auto& [name, value] : r.query)
        target += (target.size() == r.path.size() ? "?" : "&") + name + "=" + value;
    idempotency_claim claim{p.workspace_id, p.is_agent() ? p.agent_id : 0, scope, sha256_hex(key),
                            sha256_hex(r.method + " " + target + "\n" + r.body)};
    if (auto stored = s.eng.find_idempotent(claim)) return replay(*stored, claim.request_hash);
    try {
        return committed(s, write(claim));
    } catch (const strata::error&) {
        // Another request with the same key committed first: its record is there now.
        if (auto stored = s.eng.find_idempotent(claim)) return replay(*stored, claim.request_hash);
        throw;
    }
}

}  // namespace relay::http
