// The typed query builder: tables declared in C++ (strata/schema.hpp), queries checked
// by the compiler, values always bound, SQL produced by the database's adapter.
//
//   const auto by_name = strata::from<users>()
//                            .select(users::id, users::email)
//                            .where(users::name == strata::arg<std::string>(0))
//                            .order_by(strata::asc(users::id))
//                            .prepare();
//   for (auto [id, email] : db.execute(by_name.bind("ann")).all_as<decltype(by_name)::row_type>()) ...
#pragma once

#include "strata/ast.hpp"
#include "strata/builder/expr.hpp"
#include "strata/builder/select.hpp"
#include "strata/builder/typed_plan.hpp"
#include "strata/builder/write.hpp"
#include "strata/schema.hpp"
