#include "engine/unit_outcome.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "engine/api_error.hpp"

namespace relay::detail {
namespace {

// The database may be restarting: ask a few times, ~0.75 s in all.
constexpr int probe_attempts = 4;
constexpr std::chrono::milliseconds first_wait{50};

[[noreturn]] void still_unknown(const char* why) {
    fail(503, "outcome_unknown",
         std::string("The database connection broke while the write was committing, so relay cannot tell whether it "
                     "was stored (") +
             why + "). Retry with the same Idempotency-Key: the write is applied at most once.");
}

}  // namespace

void confirm_landed(const strata::runtime& db, const std::optional<strata::plan>& landed) {
    if (!landed) still_unknown("nothing identifies it to look up");
    auto wait = first_wait;
    for (int attempt = 1;; ++attempt) {
        std::this_thread::sleep_for(wait);
        try {
            if (db.execute(*landed).first()) return;
            still_unknown("it is not visible yet");
        } catch (const strata::error& e) {
            spdlog::warn("looking up a write of unknown outcome failed: {}", e.code());
            if (attempt == probe_attempts) still_unknown("the database did not answer");
        }
        wait *= 2;
    }
}

std::optional<strata::atomic_result> run_resolving(const strata::runtime& db, const std::vector<strata::plan>& plans,
                                                   const strata::atomic_options& options,
                                                   const std::optional<strata::plan>& landed) {
    try {
        return strata::run_atomic_writes(db, plans, options);
    } catch (const strata::error& e) {
        if (!e.outcome_unknown()) throw;
        spdlog::warn("a write unit's outcome is unknown ({}); looking it up", e.code());
    }
    confirm_landed(db, landed);
    return std::nullopt;
}

}  // namespace relay::detail
