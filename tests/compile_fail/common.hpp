// Shared by the compile-failure cases: the test schema of the builder conformance suite.
#pragma once
#include "../conformance/builder_schema.hpp"
using namespace strata;
using namespace strata::test::schema;
