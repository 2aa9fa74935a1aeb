// Shared by the ORM compile-failure cases: the tables of the ORM conformance suites.
#pragma once
#include "../conformance/orm_schema.hpp"
using namespace strata;
using namespace strata::test::orm_schema;
