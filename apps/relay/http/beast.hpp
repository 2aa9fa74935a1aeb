// Boost.Asio and Boost.Beast, the way relay includes them.
#pragma once

// clang-format off
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
// clang-format on
