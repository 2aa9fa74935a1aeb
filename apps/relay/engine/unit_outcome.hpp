// Atomic units whose COMMIT may have landed although its reply was lost
// (strata::error::outcome_unknown()). relay never reports such a unit as failed or as
// applied on a guess: it asks the database, on a fresh connection, whether the unit's
// anchor row (minted before the unit, so it is known) is there.
#pragma once

#include <optional>
#include <strata/strata.hpp>
#include <vector>

namespace relay::detail {

// Runs `plans` as one atomic unit on `db`. Returns its results; or std::nullopt when the
// outcome was unknown and `landed` (a query that returns a row exactly when the unit
// committed) found the unit applied — its RETURNING rows are lost, read them again.
// When the outcome stays unknown (no probe, the probe finds nothing, or the database
// does not answer it) throws api_error 503 `outcome_unknown`: retry with the same
// Idempotency-Key. Every other failure propagates unchanged.
[[nodiscard]] std::optional<strata::atomic_result> run_resolving(const strata::runtime& db,
                                                                 const std::vector<strata::plan>& plans,
                                                                 const strata::atomic_options& options,
                                                                 const std::optional<strata::plan>& landed);

// The same resolution for a failure caught elsewhere: returns when `landed` finds the
// unit applied; throws api_error 503 `outcome_unknown` otherwise.
void confirm_landed(const strata::runtime& db, const std::optional<strata::plan>& landed);

}  // namespace relay::detail
