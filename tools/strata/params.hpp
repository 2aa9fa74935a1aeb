// --param arguments: the values bound to the statement's `?` placeholders, in order.
//
// A prefix forces the type: int:V, real:V, text:V, null, blob:HEX. A plain value binds
// as an integer when it is entirely one (64-bit), else as a real when it is entirely
// one, else as text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <strata/value.hpp>

namespace strata::cli {

// Throws usage_error CLI.PARAM_INVALID; the message never repeats the value (it may be a
// secret), only its position and what is wrong with it.
[[nodiscard]] strata::value parse_param(std::string_view arg, std::size_t position);
[[nodiscard]] std::vector<strata::value> parse_params(const std::vector<std::string>& args);

// The typing rules, as `strata query --help` prints them.
[[nodiscard]] std::string_view param_help() noexcept;

}  // namespace strata::cli
