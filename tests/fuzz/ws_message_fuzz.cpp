// Fuzzes what relay answers a client's WebSocket text message with
// (relay::answer_client_message, ws/client_message.hpp) — the code behind the frame
// {"type":1} that once terminated the process.
//
// Properties:
// - it never throws, for any bytes;
// - the answer is always one JSON object {"type","seq":0,"data"}: "pong" exactly when the
//   message is an object whose "type" is the string "ping", else "error" with a code;
// - the answer is valid UTF-8 (it goes out as a text frame).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "text/json_depth.hpp"
#include "text/utf8.hpp"
#include "ws/client_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string answer;
    try {
        answer = relay::answer_client_message(text);
    } catch (...) {
        FUZZ_CHECK(false, "answer_client_message threw");
    }
    FUZZ_CHECK(relay::valid_utf8(answer), "the answer is not UTF-8");
    const auto doc = nlohmann::json::parse(answer, nullptr, false);
    FUZZ_CHECK(doc.is_object() && doc.contains("type") && doc["type"].is_string(), "the answer has no type");
    FUZZ_CHECK(doc.value("seq", -1) == 0, "the answer's seq is not 0");
    const bool shallow = !relay::json_nesting_exceeds(text);
    const auto msg = shallow ? nlohmann::json::parse(text, nullptr, false) : nlohmann::json();
    const bool is_ping = shallow && msg.is_object() && msg.contains("type") && msg["type"].is_string() &&
                         msg["type"].get<std::string>() == "ping";
    if (is_ping) {
        FUZZ_CHECK(doc["type"] == "pong", "a ping was not answered with pong");
    } else {
        FUZZ_CHECK(doc["type"] == "error", "a message other than ping was not answered with an error");
        FUZZ_CHECK(doc["data"].is_object() && doc["data"].contains("code") && doc["data"]["code"].is_string(),
                   "an error without a code");
    }
    return 0;
}
