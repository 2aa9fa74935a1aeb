// pg_notify as a plan, and the checks of channels and payloads.
#include "strata/error.hpp"
#include "strata/postgres/notify.hpp"

namespace strata::postgres {
namespace {

[[noreturn]] void invalid(std::string_view field, std::string reason) {
    throw error(std::string(codes::driver_notification_invalid),
                "PostgreSQL notification " + std::string(field) + " " + reason + ".",
                {{"field", std::string(field)}, {"reason", reason}});
}

bool letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool channel_char(char c) {
    return letter(c) || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
}

}  // namespace

void check_channel(std::string_view channel) {
    if (channel.empty()) invalid("channel", "must not be empty");
    if (channel.size() > max_channel_bytes)
        invalid("channel", "is " + std::to_string(channel.size()) + " bytes long; PostgreSQL takes at most " +
                               std::to_string(max_channel_bytes));
    if (!letter(channel.front())) invalid("channel", "must start with an ASCII letter or '_'");
    for (char c : channel) {
        // The name itself is never echoed: it may come from a request.
        if (!channel_char(c)) invalid("channel", "may hold only ASCII letters, digits and _ . - :");
    }
}

std::string quoted_channel(std::string_view channel) {
    check_channel(channel);
    // No '"' can be inside (check_channel), so there is nothing to double.
    return "\"" + std::string(channel) + "\"";
}

plan notify(std::string_view channel, std::string_view payload) {
    check_channel(channel);
    if (payload.size() > max_payload_bytes)
        invalid("payload", "is " + std::to_string(payload.size()) + " bytes; PostgreSQL takes at most " +
                               std::to_string(max_payload_bytes) + " (send an id and fetch the rest)");
    if (payload.find('\0') != std::string_view::npos) invalid("payload", "must not contain a NUL byte");
    return plan("SELECT pg_notify(?, ?)", {value(std::string(channel)), value(std::string(payload))},
                plan_meta{.source = lane::raw_sql, .kind = statement_kind::write});
}

}  // namespace strata::postgres
