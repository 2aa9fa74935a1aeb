// PostgreSQL notifications, the sending side: pg_notify(channel, payload) as an ordinary
// plan, so it can be one statement of an atomic write unit. PostgreSQL delivers a
// notification only when its transaction commits (in commit order), never after a
// rollback, so a unit's notifications never announce a write that did not happen.
//
//   strata::run_atomic_writes(db, {insert.bind(...), strata::postgres::notify("events", id)});
//
// Channels and payloads are checked when the plan is built (DRIVER.NOTIFICATION_INVALID
// {field=channel|payload, reason}), so a unit never starts with a statement the server
// would refuse. The receiving side is strata/postgres/listener.hpp. PostgreSQL only:
// SQLite has no equivalent (docs/decisions/0032-postgres-notifications.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "strata/plan.hpp"

namespace strata {
namespace codes {
inline constexpr std::string_view driver_notification_invalid = "DRIVER.NOTIFICATION_INVALID";
}  // namespace codes

namespace postgres {

// The longest payload PostgreSQL accepts: 7999 bytes (it refuses 8000 and more).
inline constexpr std::size_t max_payload_bytes = 7999;
// The longest channel name (NAMEDATALEN - 1).
inline constexpr std::size_t max_channel_bytes = 63;

// A channel name strata accepts: 1 to 63 bytes of ASCII letters, digits and `_ . - :`,
// starting with a letter or '_'. Case is kept (LISTEN quotes it, as pg_notify reads it).
// Throws DRIVER.NOTIFICATION_INVALID{field=channel}.
void check_channel(std::string_view channel);

// The channel as a quoted identifier ("Events.1"), after check_channel.
[[nodiscard]] std::string quoted_channel(std::string_view channel);

// SELECT pg_notify(channel, payload): a write (never routed to a read replica). Throws
// DRIVER.NOTIFICATION_INVALID for a bad channel, a payload over max_payload_bytes or one
// holding a NUL byte.
[[nodiscard]] plan notify(std::string_view channel, std::string_view payload);

}  // namespace postgres
}  // namespace strata
