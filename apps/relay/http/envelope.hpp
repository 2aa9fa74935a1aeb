// The JSON envelope of every API response:
//   {"ok":true,"data":...}   or   {"ok":false,"error":{"code":"...","message":"..."}}
#pragma once

#include <string_view>

#include "engine/types.hpp"
#include "http/request.hpp"

namespace relay::http {

[[nodiscard]] reply ok(unsigned status, const json& data);
[[nodiscard]] reply error_reply(unsigned status, std::string_view code, std::string_view message);

}  // namespace relay::http
