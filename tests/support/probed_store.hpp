// A runtime with a store_probe of its own: the split-store tests open each store this
// way to prove which stores a read reached.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store_probe.hpp"
#include "strata/strata.hpp"

namespace strata::test {

struct probed {
    std::shared_ptr<store_probe> probe;
    runtime db;
};

// Connects a runtime of `make_stack` (e.g. strata::sqlite::make_stack) to `b`.
template <class MakeStack, class Binding>
probed open_probed(const MakeStack& make_stack, Binding b, const std::string& label) {
    auto probe = std::make_shared<store_probe>(label);
    auto db = instantiate(make_stack(std::vector<std::shared_ptr<middleware>>{probe}));
    db.connect(std::move(b));
    return {probe, db};
}

}  // namespace strata::test
