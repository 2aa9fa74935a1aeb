// The SQLite driver instance: lifecycle state machine around a pool of connections.
#include <mutex>

#include "sqlite_pool.hpp"
#include "sqlite_rows.hpp"
#include "strata/sqlite.hpp"

namespace strata::sqlite {
namespace {

class sqlite_driver final : public strata::driver {
public:
    [[nodiscard]] driver_state state() const noexcept override {
        std::lock_guard lock(mutex_);
        return state_;
    }

    void connect(const binding& b) override {
        // The whole transition happens under the lock: two racing connects cannot both
        // open connections, and a failed open leaves the state as it was.
        std::lock_guard lock(mutex_);
        if (state_ == driver_state::connected) driver_errors::already_connected("sqlite", b.describe());
        pool_ = detail::pool::open(b);
        state_ = driver_state::connected;
    }

    void close() override {
        std::shared_ptr<detail::pool> p;
        {
            std::lock_guard lock(mutex_);
            if (state_ != driver_state::connected) return;
            p = std::move(pool_);
            state_ = driver_state::closed;
        }
        p->close();
    }

    [[nodiscard]] capabilities caps() const override {
        return capabilities{.interactive_transactions = true,
                            .atomic_batch = false,
                            .savepoints = true,
                            .returning = true,
                            .streaming = true};
    }

    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        std::shared_ptr<detail::pool> p;
        {
            std::lock_guard lock(mutex_);
            if (state_ != driver_state::connected) driver_errors::wrong_state("sqlite", state_, "execute()");
            p = pool_;
        }
        return std::make_unique<detail::rows>(p->acquire(s.source->meta().kind), s, c);
    }

private:
    mutable std::mutex mutex_;
    driver_state state_ = driver_state::unbound;
    std::shared_ptr<detail::pool> pool_;
};

}  // namespace

target_descriptor target() { return {"sqlite", "sqlite"}; }

adapter_descriptor adapter() {
    // SQLite reads `?` placeholders natively: no lowering needed for raw SQL.
    return {"sqlite", "sqlite", {}};
}

driver_descriptor driver() {
    return {"sqlite", "sqlite", [] { return std::unique_ptr<strata::driver>(new sqlite_driver()); }};
}

stack make_stack(std::vector<std::shared_ptr<middleware>> middleware) {
    return stack{target(), adapter(), driver(), std::move(middleware)};
}

}  // namespace strata::sqlite
