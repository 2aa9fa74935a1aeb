// The SQLite driver instance: lifecycle state machine around a pool of connections.
#include <atomic>
#include <mutex>

#include "adapters/ddl_render.hpp"
#include "adapters/sql_render.hpp"
#include "sqlite_pool.hpp"
#include "sqlite_rows.hpp"
#include "sqlite_scope.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite {
namespace {

class sqlite_driver final : public strata::driver {
public:
    // Read without the lock: transitions happen under it, and a reader only needs a
    // recent value (execute() re-checks under the lock).
    [[nodiscard]] driver_state state() const noexcept override { return state_.load(std::memory_order_acquire); }

    void connect(const binding& b) override {
        // The whole transition happens under the lock: two racing connects cannot both
        // open connections, and a failed open leaves the state as it was.
        std::lock_guard lock(mutex_);
        if (state() == driver_state::connected) driver_errors::already_connected("sqlite", b.describe());
        pool_ = detail::pool::open(b);
        state_.store(driver_state::connected, std::memory_order_release);
    }

    void close() override {
        std::shared_ptr<detail::pool> p;
        {
            std::lock_guard lock(mutex_);
            if (state() != driver_state::connected) return;
            p = std::move(pool_);
            state_.store(driver_state::closed, std::memory_order_release);
        }
        p->close();
    }

    [[nodiscard]] capabilities caps() const override { return detail::sqlite_capabilities(); }

    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        return std::make_unique<detail::rows>(current("execute()")->acquire(s.source->meta().kind), s, c,
                                              /*scoped=*/false);
    }

    [[nodiscard]] std::unique_ptr<strata::connection> acquire(connection_intent intent,
                                                              const execution_control& c) override {
        bool gated = false;
        detail::lease l = current("acquire()")->acquire_scope(intent, c, gated);
        return std::make_unique<detail::scope>(std::move(l), gated);
    }

private:
    std::shared_ptr<detail::pool> current(std::string_view operation) const {
        std::lock_guard lock(mutex_);
        if (const auto st = state(); st != driver_state::connected) driver_errors::wrong_state("sqlite", st, operation);
        return pool_;
    }

    mutable std::mutex mutex_;
    std::atomic<driver_state> state_{driver_state::unbound};
    std::shared_ptr<detail::pool> pool_;
};

}  // namespace

target_descriptor target() { return {"sqlite", "sqlite"}; }

adapter_descriptor adapter() {
    // SQLite reads `?` placeholders natively: raw SQL runs unchanged; builder statements
    // are rendered once per plan text.
    return {"sqlite", "sqlite", {}, [](const plan& p) {
                return adapters::lower_plan(
                    p, adapters::sql_dialect{.name = "sqlite", .dollar_params = false, .upsert_select_needs_where = true});
            },
            [](const contract_table& t) { return adapters::create_table_sql(t, adapters::sqlite_ddl); }};
}

driver_descriptor driver() {
    return {"sqlite", "sqlite", [] { return std::unique_ptr<strata::driver>(new sqlite_driver()); }};
}

stack make_stack(std::vector<std::shared_ptr<middleware>> middleware) {
    return stack{target(), adapter(), driver(), std::move(middleware)};
}

}  // namespace strata::sqlite
