// Applying and checking the contract.
//
//   strata::migrate(db, contract)   an empty database gets the schema (DDL in the
//                                   database's dialect) and a marker recording the
//                                   contract; an up-to-date one is left alone; one with
//                                   another contract is refused with what differs.
//   strata::verify(db, contract)    compares the marker with the contract.
//   db.verify_contract_on_first_use(contract, contract_check::strict)
//                                   the runtime checks once, before its first statement
//                                   or transaction (never inside a user's transaction).
#pragma once

#include <string>
#include <vector>

#include "strata/contract.hpp"
#include "strata/runtime.hpp"

namespace strata {

enum class migrate_outcome { applied, up_to_date };
struct migrate_result {
    migrate_outcome outcome = migrate_outcome::up_to_date;
    std::vector<std::string> statements;  // the DDL that ran
};

// CONTRACT.MISMATCH{differences} when the database holds another contract;
// CONTRACT.UNMANAGED when it has the contract's tables but no marker.
migrate_result migrate(const runtime& db, const contract& c);

enum class verify_status { match, mismatch, missing };
struct verify_result {
    verify_status status = verify_status::missing;
    std::string database_hash;             // empty when missing
    std::vector<std::string> differences;  // mismatch: what differs
};
[[nodiscard]] verify_result verify(const runtime& db, const contract& c);

// The marker table migrate() writes.
inline constexpr std::string_view contract_marker_table = "strata_contract";

}  // namespace strata
