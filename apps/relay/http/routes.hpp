// The API's routes, grouped by area, and what they share: the services they use,
// authentication, publishing events after a write, and Idempotency-Key handling.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "db/database.hpp"
#include "db/node_lease.hpp"
#include "engine/engine.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "ws/event_bus.hpp"
#include "ws/hub.hpp"

namespace relay::http {

struct services {
    engine& eng;
    hub& events;
    event_bus& bus;  // how a write's events are published
    metrics& stats;
    const database& db;  // the control plane
    const stores& dbs;   // every database
    const config& settings;
    const node_lease& lease;  // this instance's node id
};

void add_routes(router& r, services& s);
void add_workspace_routes(router& r, services& s);  // workspaces, agents, console
void add_channel_routes(router& r, services& s);    // channels, members, channel messages
void add_message_routes(router& r, services& s);    // messages, threads, read receipts
void add_dm_routes(router& r, services& s);         // DMs and group DMs
void add_mailbox_routes(router& r, services& s);    // inbox, deliveries, search
void add_file_routes(router& r, services& s);
void add_system_routes(router& r, services& s);  // /healthz, /metrics
void add_static_routes(router& r);               // /v1/openapi.json, the console at /

// The caller from `Authorization: Bearer ...`: 401 unauthorized when missing or unknown.
[[nodiscard]] principal authenticate(const services& s, const request& r);

// Publishes a committed write's events and returns its reply.
[[nodiscard]] reply committed(services& s, write_result&& result);

// Runs a message-creating write under the request's Idempotency-Key (if any): a replay
// returns the stored response with `Idempotency-Replayed: true`; the same key with a
// different request is 409 idempotency_key_reused. The record is written by the
// write's own atomic unit.
[[nodiscard]] reply idempotent(services& s, const request& r, const principal& p, const std::string& scope,
                               const std::function<write_result(const std::optional<idempotency_claim>&)>& write);

}  // namespace relay::http
