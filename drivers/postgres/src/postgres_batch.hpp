// Internal: the atomic batch — N statements in libpq pipeline mode, one sync at the end.
//
// Outside a transaction the statements form one implicit transaction: all of them
// commit or none does. Inside one, they run in it (a failure leaves it aborted for the
// caller to roll back). Either way the connection is drained and usable afterwards,
// unless it was lost.
#pragma once

#include <vector>

#include "postgres_pool.hpp"
#include "strata/driver.hpp"

namespace strata::postgres::detail {

// Throws the first statement's error (details: batch_index) after reading every result.
[[nodiscard]] std::vector<batch_result> run_batch(lease& l, const std::vector<statement>& statements,
                                                  const execution_control& c);

}  // namespace strata::postgres::detail
