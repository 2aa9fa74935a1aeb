// What relay answers a client's WebSocket text message with. The one message clients
// send is {"type":"ping"}, answered {"type":"pong","seq":0,"data":{}}; anything else —
// not JSON, nested too deeply, not an object, a `type` that is not a string, an unknown
// type — is answered with an `error` event ({"type":"error","seq":0,"data":{"code",
// "message"}}) and the connection stays open. Never throws for any input.
#pragma once

#include <string>
#include <string_view>

namespace relay {

[[nodiscard]] std::string answer_client_message(std::string_view text);

}  // namespace relay
