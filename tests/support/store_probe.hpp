// A middleware that counts the statements a runtime runs and, when forbidden, refuses
// them: proof that a store was (or was never) read.
#pragma once

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "strata/middleware.hpp"

namespace strata::test {

class store_probe : public middleware {
public:
    explicit store_probe(std::string label) : label_(std::move(label)) {}
    [[nodiscard]] std::string_view name() const noexcept override { return "store_probe"; }
    void before_execute(const execution_context&) override {
        if (forbidden.load()) throw std::logic_error("the store '" + label_ + "' was read while forbidden");
        statements.fetch_add(1);
    }
    // Statements since the last reset().
    [[nodiscard]] int count() const { return statements.load(); }
    void reset() { statements.store(0); }

    std::atomic<bool> forbidden{false};
    std::atomic<int> statements{0};

private:
    std::string label_;
};

}  // namespace strata::test
