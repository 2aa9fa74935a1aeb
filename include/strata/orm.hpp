// ORM collections over the declared tables (strata/schema.hpp), built on the typed
// builder: typed rows, where / order_by / take / skip / keyset cursors / select,
// include of related rows without N+1 queries, writes returning typed rows and atomic
// nested creates — on the runtime or, unchanged, on a transaction's connection.
//
//   namespace orm = strata::orm;
//   orm::collection<authors> people(db);
//   auto [ann, her_posts] = people.create_nested({set(authors::id, 1), set(authors::name, "ann")},
//                                                orm::children<posts>({{set(posts::id, 1), set(posts::title, "hi")}}));
//   for (const auto& a : people.include<posts>().all()) a.row, a.get<posts>() ...
//
// See docs/decisions/0012-orm-collections.md.
#pragma once

#include "strata/orm/collection.hpp"
#include "strata/orm/data.hpp"
#include "strata/orm/query_state.hpp"
#include "strata/orm/relations.hpp"
#include "strata/orm/target.hpp"
