// Turning a built statement into plans: prepare once (the statement's text is lowered
// once per dialect and cached), bind many times with the values of strata::arg<T>(i).
#pragma once

#include <memory>
#include <vector>

#include "strata/ast.hpp"
#include "strata/codec.hpp"
#include "strata/plan.hpp"
#include "strata/sql.hpp"

namespace strata {

// A plan that knows the C++ row type its result decodes into:
//   auto rows = db.execute(p).all_as<decltype(p)::row_type>();
template <class Row>
struct typed_plan : plan {
    using row_type = Row;
    explicit typed_plan(plan p) : plan(std::move(p)) {}
};

namespace builder {

struct statement_info {
    statement_kind kind;
    bool returning;
};

struct prepared_core {
    std::shared_ptr<const plan_text> text;
    std::vector<const ast::node*> slots;  // param nodes in placeholder order (owned by text)
    std::size_t args = 0;                 // bind arguments expected
};

[[nodiscard]] prepared_core prepare_statement(std::shared_ptr<const ast::statement> s, statement_info info);
// PLAN.PARAM_COUNT_MISMATCH unless args has exactly core.args values.
[[nodiscard]] plan bind_statement(const prepared_core& core, std::vector<value> args);

}  // namespace builder

template <class Row>
class prepared_query {
public:
    using row_type = Row;
    prepared_query(std::shared_ptr<const ast::statement> s, builder::statement_info info)
        : core_(builder::prepare_statement(std::move(s), info)) {}

    template <class... Args>
    [[nodiscard]] typed_plan<Row> bind(Args&&... args) const {
        std::vector<value> values;
        values.reserve(sizeof...(Args));
        std::size_t i = 0;
        (values.push_back(detail::encode_param(++i, std::forward<Args>(args))), ...);
        return typed_plan<Row>(builder::bind_statement(core_, std::move(values)));
    }
    [[nodiscard]] std::size_t arguments() const noexcept { return core_.args; }

private:
    builder::prepared_core core_;
};

}  // namespace strata
