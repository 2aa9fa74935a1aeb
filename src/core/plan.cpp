#include "strata/plan.hpp"

namespace strata {

plan::plan(std::string sql, std::vector<value> params, plan_meta meta)
    : d_(std::make_shared<const data>(data{std::move(sql), std::move(params), std::move(meta)})) {}

plan plan::with_tables(std::vector<std::string> tables) const {
    auto d = std::make_shared<data>(*d_);
    d->meta.tables = std::move(tables);
    return plan{std::shared_ptr<const data>(std::move(d))};
}

plan plan::with_kind(statement_kind kind) const {
    auto d = std::make_shared<data>(*d_);
    d->meta.kind = kind;
    return plan{std::shared_ptr<const data>(std::move(d))};
}

}  // namespace strata
