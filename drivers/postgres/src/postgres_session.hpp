// Internal: the session settings strata's decoders read values by, fixed on every
// connection strata opens (decision 0029).
//
// Values arrive as text: timestamps must be ISO (DateStyle), intervals the postgres style
// (IntervalStyle), floats printed exactly (extra_float_digits >= 1) and text in UTF-8
// (client_encoding). A server, database or role configured otherwise must not change what
// a caller reads, so strata sends these in the startup packet (libpq's `options`, no
// round trip): they beat postgresql.conf, ALTER DATABASE/ROLE ... SET and survive RESET
// ALL and DISCARD ALL, which go back to the values the session started with.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

namespace strata::postgres::detail {

// What a URL/conninfo asks of the session, as libpq parsed it.
struct session_request {
    std::string options{};          // libpq `options` (or PGOPTIONS when the string has none)
    std::string client_encoding{};  // libpq `client_encoding`, empty when not given
};

// The `options` value to connect with: the caller's own switches first (search_path...),
// then strata's. A caller's value that contradicts a setting the decoders need is
// refused: DRIVER.BINDING_INVALID{field=options or client_encoding}. TimeZone is the
// caller's to choose (every timestamptz carries its offset, so decoded instants do not
// depend on it); strata's default is UTC.
[[nodiscard]] std::string startup_options(const session_request& r);

// DateStyle ISO, IntervalStyle postgres and client_encoding UTF8, as the server reported
// them (no round trip). A caller-owned connection must have them (check_client).
[[nodiscard]] bool session_decodable(PGconn* conn) noexcept;

// Whether a connection still has the settings it was opened with (read from the
// ParameterStatus the server reports, no round trip): a caller's SET DateStyle or SET
// TimeZone must not reach the next user of a pooled connection.
[[nodiscard]] bool session_intact(PGconn* conn, std::string_view timezone) noexcept;

// After connect: sets again what an environment variable libpq sends after `options`
// (PGDATESTYLE, PGTZ is the caller's choice) may have overridden. A round trip only then.
// Returns false when the settings could not be fixed.
[[nodiscard]] bool settle_session(PGconn* conn) noexcept;

}  // namespace strata::postgres::detail
