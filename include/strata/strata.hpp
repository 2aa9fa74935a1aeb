// Umbrella header: the whole public core API.
#pragma once

#include "strata/budgets.hpp"
#include "strata/cancel.hpp"
#include "strata/codec.hpp"
#include "strata/codec_json.hpp"
#include "strata/driver.hpp"
#include "strata/error.hpp"
#include "strata/middleware.hpp"
#include "strata/plan.hpp"
#include "strata/redact.hpp"
#include "strata/result_stream.hpp"
#include "strata/row.hpp"
#include "strata/runtime.hpp"
#include "strata/sql.hpp"
#include "strata/telemetry.hpp"
#include "strata/transaction_options.hpp"
#include "strata/value.hpp"
