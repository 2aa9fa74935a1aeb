#include "ws/client_message.hpp"

#include "engine/types.hpp"
#include "text/json_depth.hpp"

namespace relay {
namespace {

std::string error_event(std::string_view code, std::string_view message) {
    return json{{"type", "error"}, {"seq", 0}, {"data", {{"code", code}, {"message", message}}}}.dump();
}

}  // namespace

std::string answer_client_message(std::string_view text) {
    if (json_nesting_exceeds(text)) return error_event("json_too_deep", "The message nests too deeply.");
    const json msg = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (msg.is_discarded()) return error_event("invalid_json", "The message is not valid JSON.");
    if (!msg.is_object()) return error_event("invalid_message", "A message is a JSON object with a string \"type\".");
    const auto type = msg.find("type");
    if (type == msg.end() || !type->is_string())
        return error_event("invalid_message", "A message is a JSON object with a string \"type\".");
    if (type->get_ref<const std::string&>() == "ping") return R"({"type":"pong","seq":0,"data":{}})";
    return error_event("unknown_type", "The only message a client sends is {\"type\":\"ping\"}.");
}

}  // namespace relay
