// Internal: what a runtime holds.
#pragma once

#include "contract_gate.hpp"
#include "stream_state.hpp"
#include "strata/runtime.hpp"

namespace strata {

struct runtime::impl {
    strata::stack stack;
    std::shared_ptr<const detail::execution_target> target;
    std::shared_ptr<detail::contract_gate> contract;  // null: no check
};

namespace detail {
struct runtime_access {
    static const runtime::impl& of(const runtime& r) noexcept { return *r.impl_; }
};
}  // namespace detail

}  // namespace strata
