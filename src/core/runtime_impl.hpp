// Internal: what a runtime holds.
#pragma once

#include "commit_groups.hpp"
#include "contract_gate.hpp"
#include "stream_state.hpp"
#include "strata/runtime.hpp"

namespace strata {

struct runtime::impl {
    strata::stack stack;
    std::shared_ptr<const detail::execution_target> target;
    std::shared_ptr<detail::contract_gate> contract;  // null: no check
    // Group commit's queues (strata/atomic_writes.hpp, commit_group), shared by copies.
    std::shared_ptr<detail::commit_groups> groups = std::make_shared<detail::commit_groups>();
};

namespace detail {
struct runtime_access {
    static const runtime::impl& of(const runtime& r) noexcept { return *r.impl_; }
};
}  // namespace detail

}  // namespace strata
