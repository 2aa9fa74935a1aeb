#include "support/fault_driver.hpp"

namespace relay::test {

void fault_controls::arm(int fail_at) {
    std::lock_guard lock(mutex_);
    armed_ = true;
    fail_at_ = fail_at;
    seen_ = 0;
    batches_ = 0;
    sql_.clear();
    batch_sql_.clear();
}

void fault_controls::disarm() {
    std::lock_guard lock(mutex_);
    armed_ = false;
    fail_at_ = -1;
}

int fault_controls::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

std::vector<std::string> fault_controls::statements() const {
    std::lock_guard lock(mutex_);
    return sql_;
}

int fault_controls::batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
}

bool fault_controls::next_statement_fails(std::string_view sql) {
    std::lock_guard lock(mutex_);
    if (!armed_) return false;
    sql_.emplace_back(sql);
    return seen_++ == fail_at_;
}

bool fault_controls::take_lost_commit() {
    for (int n = lost_commits.load(); n > 0;) {
        if (lost_commits.compare_exchange_weak(n, n - 1)) return true;
    }
    return false;
}

void fault_controls::count_batch(const std::vector<strata::statement>& statements) {
    std::lock_guard lock(mutex_);
    if (!armed_) return;
    ++batches_;
    auto& sql = batch_sql_.emplace_back();
    for (const auto& s : statements) sql.emplace_back(s.sql);
}

std::vector<std::vector<std::string>> fault_controls::batch_statements() const {
    std::lock_guard lock(mutex_);
    return batch_sql_;
}

namespace {

bool is_write(const strata::statement& s) {
    return s.source == nullptr || s.source->meta().kind != strata::statement_kind::read;
}

[[noreturn]] void injected() {
    throw strata::error("TEST.INJECTED_FAILURE", "A failure injected by the test while the statement executed.");
}

strata::capabilities shaped(strata::capabilities c, unit_shape shape) {
    if (shape == unit_shape::native) return c;
    if (shape != unit_shape::transaction) c.interactive_transactions = false;
    if (shape == unit_shape::transaction) c.atomic_batch = false;  // interactive only: prefer_batch cannot pick a batch
    if (shape == unit_shape::batch) c.atomic_batch = true;  // emulated below when the database has none
    if (shape == unit_shape::sequential) c.atomic_batch = false;
    return c;
}

class fault_connection final : public strata::connection {
public:
    fault_connection(std::unique_ptr<strata::connection> inner, std::shared_ptr<fault_controls> c)
        : inner_(std::move(inner)), c_(std::move(c)) {}
    ~fault_connection() override {
        if (!done_) inner_->destroy();
    }
    [[nodiscard]] strata::capabilities caps() const override { return shaped(inner_->caps(), c_->shape); }
    [[nodiscard]] std::unique_ptr<strata::row_source> execute(const strata::statement& s,
                                                              const strata::execution_control& ctl) override {
        // Everything on a leased connection belongs to a unit (or to a transaction), reads
        // (such as a FOR UPDATE lock) included.
        if (c_->next_statement_fails(s.sql)) injected();
        wrote_ = wrote_ || is_write(s);
        return inner_->execute(s, ctl);
    }
    [[nodiscard]] strata::transaction_status status() const override {
        return broken_ ? strata::transaction_status::unknown : inner_->status();
    }
    void begin(const strata::transaction_options& o) override {
        wrote_ = false;
        inner_->begin(o);
    }
    void commit() override {
        // Only a transaction that wrote loses its COMMIT reply (reads commit too).
        if (!wrote_ || !c_->take_lost_commit()) return inner_->commit();
        if (c_->lost_commit_lands.load()) inner_->commit();
        else inner_->rollback();
        broken_ = true;
        throw strata::error("DRIVER.CONNECTION_LOST", "Injected: the connection broke while COMMIT was answered.")
            .with_transient(true);
    }
    void rollback() override { inner_->rollback(); }
    void savepoint(std::string_view n) override { inner_->savepoint(n); }
    void release_savepoint(std::string_view n) override { inner_->release_savepoint(n); }
    void rollback_to_savepoint(std::string_view n) override { inner_->rollback_to_savepoint(n); }

    [[nodiscard]] std::vector<strata::batch_result> execute_batch(const std::vector<strata::statement>& statements,
                                                                  const strata::execution_control& ctl) override {
        c_->count_batch(statements);
        if (inner_->caps().atomic_batch) {
            // The database's own batch (PostgreSQL pipeline): the failing statement is
            // replaced by one that fails on the server, in its place in the batch.
            std::vector<strata::statement> sent = statements;
            for (auto& s : sent) {
                if (c_->next_statement_fails(s.sql)) s = strata::statement{failing_sql_, &failing_};
            }
            auto out = inner_->execute_batch(sent, ctl);
            if (c_->take_lost_commit()) lose_batch_reply();  // it committed: it always lands
            return out;
        }
        // No native batch (SQLite): all or nothing inside a real transaction.
        inner_->begin(strata::transaction_options{});
        std::vector<strata::batch_result> out;
        try {
            for (std::size_t i = 0; i < statements.size(); ++i) {
                try {
                    if (c_->next_statement_fails(statements[i].sql)) injected();
                    auto source = inner_->execute(statements[i], ctl);
                    strata::batch_result r;
                    for (strata::row row; source->next(row);) r.rows.push_back(row);
                    r.affected_rows = source->affected_rows();
                    out.push_back(std::move(r));
                } catch (strata::error& e) {
                    throw std::move(e.with_detail("batch_index", std::to_string(i)));
                }
            }
        } catch (...) {
            inner_->rollback();
            throw;
        }
        if (c_->take_lost_commit()) {
            if (c_->lost_commit_lands.load()) inner_->commit();
            else inner_->rollback();
            lose_batch_reply();
        }
        inner_->commit();
        return out;
    }

    [[noreturn]] void lose_batch_reply() {
        broken_ = true;
        throw strata::error("DRIVER.CONNECTION_LOST", "Injected: the connection broke while the batch was answered.",
                            {{"outcome", "unknown"}});
    }

    void release() noexcept override {
        done_ = true;
        inner_->release();
    }
    void destroy() noexcept override {
        done_ = true;
        inner_->destroy();
    }

private:
    std::unique_ptr<strata::connection> inner_;
    std::shared_ptr<fault_controls> c_;
    bool done_ = false;
    bool broken_ = false;  // a lost COMMIT reply: the state is unknown
    bool wrote_ = false;   // since begin()
    const std::string failing_sql_ = "SELECT 1/0";
    const strata::plan failing_ = strata::sql("SELECT 1/0");
};

class fault_driver final : public strata::driver {
public:
    fault_driver(std::unique_ptr<strata::driver> inner, std::shared_ptr<fault_controls> c)
        : inner_(std::move(inner)), c_(std::move(c)) {}
    [[nodiscard]] strata::driver_state state() const noexcept override { return inner_->state(); }
    void connect(const strata::binding& b) override { inner_->connect(b); }
    void close() override { inner_->close(); }
    [[nodiscard]] strata::capabilities caps() const override { return shaped(inner_->caps(), c_->shape); }
    [[nodiscard]] std::unique_ptr<strata::row_source> execute(const strata::statement& s,
                                                              const strata::execution_control& ctl) override {
        // Sequential units run statement by statement here (reads too: those are not counted).
        if (c_->shape.load() == unit_shape::sequential && is_write(s) && c_->next_statement_fails(s.sql)) injected();
        return inner_->execute(s, ctl);
    }
    [[nodiscard]] std::unique_ptr<strata::connection> acquire(strata::connection_intent intent,
                                                              const strata::execution_control& ctl) override {
        return std::make_unique<fault_connection>(inner_->acquire(intent, ctl), c_);
    }

private:
    std::unique_ptr<strata::driver> inner_;
    std::shared_ptr<fault_controls> c_;
};

}  // namespace

strata::stack fault_stack(strata::stack inner, std::shared_ptr<fault_controls> controls) {
    strata::stack s = std::move(inner);
    auto create = s.driver.create;
    s.driver.id += "+faults";
    s.driver.create = [create, controls] {
        return std::unique_ptr<strata::driver>(new fault_driver(create(), controls));
    };
    return s;
}

}  // namespace relay::test
