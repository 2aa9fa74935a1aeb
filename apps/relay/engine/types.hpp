// Values the engine and the HTTP layer share: who is calling, what a write returns, and
// the events to publish once it has committed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/principal.hpp"

namespace relay {

using json = nlohmann::ordered_json;  // keys stay in the order written

// A JSON value or null.
template <class T>
[[nodiscard]] json nullable(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

// A realtime event for the WebSocket hub: sent to `recipients` (agent ids) only. A
// recipient the write gave a delivery has its stored delivery seq in `positions`: the
// frame's seq for that agent, the same on every relay instance (decision 0032).
struct delivery_position {
    std::int64_t agent_id = 0;
    std::int64_t seq = 0;
};
struct event {
    std::string type;
    json data;
    std::vector<std::int64_t> recipients;
    std::vector<delivery_position> positions{};
};

// What a write returns: the response's status and data, and the events to publish
// after the commit (never before: the engine returns only once the unit committed).
struct write_result {
    unsigned status = 201;
    json data;
    std::vector<event> events{};
    // The write's own unit announced the events (a PostgreSQL notification every relay
    // instance fans out, decision 0032): they must not be published again.
    bool announced = false;
};

// An Idempotency-Key claimed by a message-creating request; the engine writes it in the
// same atomic unit as the message, with the response a replay returns.
struct idempotency_claim {
    std::int64_t workspace_id = 0;
    std::int64_t actor_id = 0;
    std::string scope;         // route and target, e.g. "channel-message:general"
    std::string key_hash;      // sha256 of the key
    std::string request_hash;  // sha256 of method, path and body
};

struct stored_response {
    unsigned status = 0;
    json data;
    std::string request_hash;
};

// One page of a list (decision 0018): at most `limit` items after `cursor`, the
// next_cursor of the page before (opaque to clients; the list decodes and checks it).
struct page_request {
    int limit = 50;
    std::optional<std::string> cursor{};
};

// One page of a message history: message ids as cursors (decision 0014).
struct page_query {
    int limit = 50;
    std::optional<std::int64_t> before{};
    std::optional<std::int64_t> after{};
};

// The body of a message-creating request, validated by the route.
struct message_input {
    std::string text;
    std::vector<std::string> attachments{};  // file ids, as given
    std::optional<json> metadata{};
};

}  // namespace relay
