// Internal: robust commit (docs/decisions/0024-robust-commit.md). What a COMMIT whose
// reply was lost did, asked of the server on a fresh connection by transaction id.
#pragma once

#include <optional>
#include <string>

#include "postgres_pool.hpp"

namespace strata::postgres::detail {

enum class lost_commit { committed, rolled_back, unknown };

struct commit_answer {
    lost_commit outcome = lost_commit::unknown;
    std::string resolution;  // how it was settled, or why it could not be
};

// Runs `begin_sql` and assigns the new transaction its id in the same round trip
// (BEGIN; SELECT pg_current_xact_id()), returning the id — none when the transaction is
// read-only (a standby, default_transaction_read_only), which cannot have one. Throws the
// mapped error (a lost connection included).
[[nodiscard]] std::optional<std::string> begin_recording_id(raw_connection& conn, const std::string& begin_sql);

// Asks `pool` on a fresh connection what became of transaction `xid`, whose COMMIT was
// sent on the lost backend `backend_pid`. Tries for a short while (and until `deadline`,
// when earlier); a transaction still in progress has its old backend ended so that the
// answer is final. Never throws.
[[nodiscard]] commit_answer resolve_lost_commit(pool::core& pool, const std::string& xid, int backend_pid,
                                                std::optional<clock::time_point> deadline) noexcept;

}  // namespace strata::postgres::detail
