// Driver SPI: what a driver implements, and the immutable descriptors a stack holds.
//
// A driver instance is created unbound by its descriptor's factory (which reads no
// environment and opens nothing) and becomes usable only at connect(binding):
//   unbound --connect--> connected --close--> closed --connect--> connected ...
// Wrong-state calls fail with DRIVER.NOT_CONNECTED / DRIVER.ALREADY_CONNECTED /
// DRIVER.CLOSED; a binding the driver cannot use fails with DRIVER.BINDING_INVALID.
#pragma once

#include <any>
#include <concepts>
#include <type_traits>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/middleware.hpp"
#include "strata/plan.hpp"
#include "strata/row.hpp"

namespace strata {

enum class driver_state { unbound, connected, closed };
[[nodiscard]] std::string_view to_string(driver_state s) noexcept;

// What a connection can do. Core code chooses by capability, never by driver name.
struct capabilities {
    bool interactive_transactions = false;
    bool atomic_batch = false;
    bool savepoints = false;
    bool returning = false;
    bool streaming = false;
};

// Transport data chosen by a driver (an SQLite file, a PostgreSQL URL, ...), carried
// type-erased through the runtime. `describe()` is safe to print (already redacted).
class binding {
public:
    template <class B>
        requires(!std::same_as<std::remove_cvref_t<B>, binding>)
    binding(B b) : value_(std::move(b)), describe_(describe_binding(std::any_cast<const B&>(value_))) {}

    template <class B>
    [[nodiscard]] const B* get_if() const noexcept {
        return std::any_cast<B>(&value_);
    }
    [[nodiscard]] const std::string& describe() const noexcept { return describe_; }

private:
    std::any value_;
    std::string describe_;
};

// The controls a driver must honour while a statement runs.
struct execution_control {
    std::optional<clock::time_point> deadline{};
    cancel_token cancel{};
    [[nodiscard]] bool active() const noexcept { return deadline.has_value() || cancel.can_be_cancelled(); }
};

// One statement as the driver receives it: SQL in the driver's dialect, and the plan
// (which owns the parameters and outlives the row source).
struct statement {
    std::string_view sql;
    const plan* source = nullptr;
};

// Rows of one executing statement. next() fills `out` and returns true, or returns
// false at the end; failures throw strata::error. Destroying it releases its connection.
class row_source {
public:
    virtual ~row_source() = default;
    virtual bool next(row& out) = 0;
};

class driver {
public:
    virtual ~driver() = default;
    [[nodiscard]] virtual driver_state state() const noexcept = 0;
    virtual void connect(const binding& b) = 0;
    // Idempotent. Open result streams fail with DRIVER.CLOSED on their next pull.
    virtual void close() = 0;
    [[nodiscard]] virtual capabilities caps() const = 0;
    [[nodiscard]] virtual std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) = 0;
};

// Errors every driver raises the same way (for driver authors).
namespace driver_errors {
[[noreturn]] void not_connected(std::string_view driver, std::string_view operation);
[[noreturn]] void already_connected(std::string_view driver, std::string_view binding_description);
[[noreturn]] void closed(std::string_view driver, std::string_view operation);
// Throws the error for `operation` in state `s` (unbound -> NOT_CONNECTED, closed -> CLOSED).
[[noreturn]] void wrong_state(std::string_view driver, driver_state s, std::string_view operation);
[[noreturn]] void binding_invalid(std::string_view driver, std::string_view field, std::string_view reason);
}  // namespace driver_errors

struct target_descriptor {
    std::string id;
    std::string dialect;
};

struct adapter_descriptor {
    std::string id;
    std::string dialect;
    // Lowers a plan's `?` SQL into the dialect's text; empty means "unchanged".
    std::function<std::string(const plan&)> lower;
};

struct driver_descriptor {
    std::string id;
    std::string dialect;
    std::function<std::unique_ptr<driver>()> create;
};

// Everything a runtime is made from. Immutable values; instantiate() reads them only.
struct stack {
    target_descriptor target;
    adapter_descriptor adapter;
    driver_descriptor driver;
    std::vector<std::shared_ptr<strata::middleware>> middleware;
};

}  // namespace strata
