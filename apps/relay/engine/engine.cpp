#include "engine/engine.hpp"

#include "engine/api_error.hpp"
#include "engine/message_reads.hpp"

namespace relay {

engine::engine(const database& db, engine_options options)
    : db_(db.rt()), dialect_(db.kind()), queries_(db.kind()), options_(std::move(options)) {
    atomic_.require_atomic = options_.require_atomic;
    // A PostgreSQL deadlock between two sends that lock the same recipients in another
    // order (or SQLite busy from another process) is retried; the unit runs again from
    // the start, so it stays all-or-nothing.
    atomic_.transaction.retry.max_attempts = 5;
}

strata::atomic_result engine::run_unit(const std::vector<strata::plan>& plans) const {
    return strata::run_atomic_writes(db_, plans, atomic_);
}

bool engine::healthy() const {
    try {
        return db_.execute(strata::sql("SELECT 1")).one_as<int>() == 1;
    } catch (const std::exception&) {
        return false;
    }
}

namespace detail {

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

void require_agent_caller(const principal& p) {
    if (!p.is_agent()) fail(403, "agent_token_required", "This route needs an agent token (Bearer at_live_...).");
}

void require_workspace_caller(const principal& p) {
    if (p.is_agent()) fail(403, "workspace_key_required", "This route needs the workspace key (Bearer rk_live_...).");
}

}  // namespace detail
}  // namespace relay
