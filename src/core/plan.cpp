#include "strata/plan.hpp"

namespace strata {

plan::plan(std::string sql, std::vector<value> params, plan_meta meta)
    : plan(std::make_shared<const plan_text>(plan_text{std::move(sql), std::move(meta)}), std::move(params)) {}

plan::plan(std::shared_ptr<const plan_text> text, std::vector<value> params)
    : text_(std::move(text)), params_(std::move(params)) {}

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
