// Umbrella header: the public core API. It carries no third-party header: the JSON
// codec (nlohmann::json) is <strata/codec_json.hpp>, the driver interface for driver
// authors <strata/driver.hpp>, each included by name where it is used
// (docs/decisions/0016-build-speed.md).
#pragma once

#include "strata/atomic_writes.hpp"
#include "strata/budgets.hpp"
#include "strata/cancel.hpp"
#include "strata/codec.hpp"
#include "strata/contract.hpp"
#include "strata/deadline_scope.hpp"
#include "strata/error.hpp"
#include "strata/execute_options.hpp"
#include "strata/middleware.hpp"
#include "strata/migrate.hpp"
#include "strata/orm.hpp"
#include "strata/param_rows.hpp"
#include "strata/plan.hpp"
#include "strata/query.hpp"
#include "strata/redact.hpp"
#include "strata/result_stream.hpp"
#include "strata/row.hpp"
#include "strata/runtime.hpp"
#include "strata/sha256.hpp"
#include "strata/sql.hpp"
#include "strata/telemetry.hpp"
#include "strata/transaction.hpp"
#include "strata/transaction_options.hpp"
#include "strata/value.hpp"
