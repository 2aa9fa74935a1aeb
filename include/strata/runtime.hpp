// strata::runtime — a stack instantiated: target + adapter + driver + middleware.
//
//   auto db = strata::instantiate(strata::sqlite::make_stack());   // opens nothing
//   db.connect(strata::sqlite::file{"app.db"});
//   for (const strata::row& r : db.execute(strata::sql("SELECT id, name FROM users"))) ...
//
// A runtime may be used from many threads at once; each execution gets a connection of
// its own for as long as its stream is open (see docs/decisions/0004-sqlite-threading.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "strata/cancel.hpp"
#include "strata/driver.hpp"
#include "strata/plan.hpp"
#include "strata/result_stream.hpp"

namespace strata {

struct execute_options {
    // Either bound stops the statement with RUNTIME.ABORTED once reached.
    std::optional<std::chrono::milliseconds> timeout{};
    std::optional<clock::time_point> deadline{};
    cancel_token cancel{};
};

class runtime {
public:
    [[nodiscard]] driver_state state() const noexcept;
    // Binds the driver. DRIVER.ALREADY_CONNECTED when connected; allowed again after close().
    void connect(const binding& b);
    // Idempotent; open streams fail with DRIVER.CLOSED on their next pull.
    void close();
    [[nodiscard]] capabilities caps() const;
    [[nodiscard]] const strata::stack& stack() const noexcept;

    // Lazy: nothing reaches the database until the stream is read.
    [[nodiscard]] result_stream execute(const plan& p, const execute_options& options = {}) const;

    struct impl;  // defined in the library

private:
    friend runtime instantiate(strata::stack s);
    explicit runtime(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
    std::shared_ptr<impl> impl_;
};

// Deterministic: reads no environment, opens nothing; the driver starts unbound.
[[nodiscard]] runtime instantiate(strata::stack s);

}  // namespace strata
