#include "strata/plan.hpp"

#include "../foundation/value_buffers.hpp"

namespace strata {

namespace detail {

namespace {
struct param_buffer_tag;
using param_buffers = value_buffers<param_buffer_tag>;
}  // namespace

std::vector<value> take_param_buffer() noexcept { return param_buffers::take(); }

void recycle_param_buffer(std::vector<value>&& params) noexcept { param_buffers::give(std::move(params)); }

}  // namespace detail

plan::plan(std::string sql, std::vector<value> params, plan_meta meta)
    : plan(std::make_shared<const plan_text>(plan_text{std::move(sql), std::move(meta)}), std::move(params)) {}

plan plan::with_tables(std::vector<std::string> tables) const {
    plan_text t = *text_;
    t.meta.tables = std::move(tables);
    return plan{std::make_shared<const plan_text>(std::move(t)), params_};
}

plan plan::with_kind(statement_kind kind) const {
    plan_text t = *text_;
    t.meta.kind = kind;
    return plan{std::make_shared<const plan_text>(std::move(t)), params_};
}

}  // namespace strata
