#include "wrapped_driver.hpp"

#include <thread>

namespace strata::test {
namespace {

capabilities shape(capabilities c, const wrapper_controls& w) {
    if (w.hide_interactive_transactions) c.interactive_transactions = false;
    if (w.batch_through_transaction) c.atomic_batch = true;
    if (w.hide_atomic_batch) c.atomic_batch = false;
    if (w.hide_savepoints) c.savepoints = false;
    return c;
}

[[noreturn]] void lost_before_results() {
    error e(std::string(codes::driver_connection_lost), "Injected loss of the connection before any result arrived.");
    driver_errors::mark_nothing_received(e);
    throw std::move(e.with_transient(true));
}

// Rows whose connection is lost before the first of them arrived.
class lost_rows final : public row_source {
public:
    bool next(row&) override { lost_before_results(); }
};

// Runs `s` through `run`, unless an injected loss comes first.
template <class Run>
std::unique_ptr<row_source> execute_or_lose(wrapper_controls& w, const Run& run) {
    ++w.executions;
    if (w.lose_at_execute.load() > 0) {
        --w.lose_at_execute;
        lost_before_results();
    }
    if (w.lose_at_first_pull.load() > 0) {
        --w.lose_at_first_pull;
        return std::make_unique<lost_rows>();
    }
    return run();
}

class wrapped_connection final : public connection {
public:
    wrapped_connection(std::unique_ptr<connection> inner, std::shared_ptr<wrapper_controls> w)
        : inner_(std::move(inner)), w_(std::move(w)) {}
    ~wrapped_connection() override {
        if (!done_) destroy();
    }

    [[nodiscard]] capabilities caps() const override { return shape(inner_->caps(), *w_); }
    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        return execute_or_lose(*w_, [&] { return inner_->execute(s, c); });
    }
    [[nodiscard]] transaction_status status() const override {
        if (fake_status_) return *fake_status_;
        return inner_->status();
    }
    void begin(const transaction_options& o) override { inner_->begin(o); }
    void commit() override {
        if (w_->commit_delay.count() > 0) std::this_thread::sleep_for(w_->commit_delay);
        if (w_->fail_commits.load() > 0) {
            --w_->fail_commits;
            fake_status_ = w_->status_after_failed_commit;
            if (*fake_status_ == transaction_status::idle) inner_->rollback();  // as a server that aborted it
            throw error("DRIVER.CONNECTION_LOST", "Injected COMMIT failure.")
                .with_transient(w_->commit_failure_transient);
        }
        inner_->commit();
    }
    void rollback() override {
        if (w_->fail_rollbacks.load() > 0) {
            --w_->fail_rollbacks;
            throw error("DRIVER.CONNECTION_LOST", "Injected ROLLBACK failure.");
        }
        inner_->rollback();
        fake_status_.reset();
    }
    void savepoint(std::string_view n) override { inner_->savepoint(n); }
    void release_savepoint(std::string_view n) override { inner_->release_savepoint(n); }
    void rollback_to_savepoint(std::string_view n) override {
        if (w_->fail_savepoint_rollbacks.load() > 0) {
            --w_->fail_savepoint_rollbacks;
            throw error("DRIVER.CONNECTION_LOST", "Injected ROLLBACK TO SAVEPOINT failure.");
        }
        inner_->rollback_to_savepoint(n);
    }

    [[nodiscard]] std::vector<batch_result> execute_batch(const std::vector<statement>& statements,
                                                          const execution_control& c) override {
        std::vector<std::string> sql;
        for (const auto& s : statements) sql.emplace_back(s.sql);
        {
            std::lock_guard lock(w_->mutex);
            w_->batches.push_back(sql);
        }
        if (w_->before_batch) w_->before_batch(sql);
        if (w_->refuse_batches.load() > 0) {
            --w_->refuse_batches;
            sql_error_info info;
            info.sqlstate = "40001";
            throw error(std::string(codes::query_failed), "Injected serialization failure of a batch.")
                .with_sql(info)
                .with_transient(true);
        }
        auto out = run_batch(statements, c);
        if (w_->lose_batch_replies.load() > 0) {
            --w_->lose_batch_replies;
            throw error("DRIVER.CONNECTION_LOST", "Injected loss of a batch's reply after it committed.",
                        {{"outcome", "unknown"}})
                .with_transient(true);
        }
        return out;
    }

    [[nodiscard]] std::vector<batch_result> run_batch(const std::vector<statement>& statements,
                                                      const execution_control& c) {
        if (!w_->batch_through_transaction) return inner_->execute_batch(statements, c);
        inner_->begin(transaction_options{});
        std::vector<batch_result> out;
        try {
            for (std::size_t i = 0; i < statements.size(); ++i) {
                try {
                    auto source = inner_->execute(statements[i], c);
                    batch_result r;
                    for (row row_out; source->next(row_out);) r.rows.push_back(row_out);
                    r.affected_rows = source->affected_rows();
                    out.push_back(std::move(r));
                } catch (error& e) {
                    throw std::move(e.with_detail("batch_index", std::to_string(i)));
                }
            }
        } catch (...) {
            inner_->rollback();
            throw;
        }
        inner_->commit();
        return out;
    }

    void release() noexcept override {
        done_ = true;
        ++w_->released;
        inner_->release();
    }
    void destroy() noexcept override {
        done_ = true;
        ++w_->destroyed;
        inner_->destroy();
    }

private:
    std::unique_ptr<connection> inner_;
    std::shared_ptr<wrapper_controls> w_;
    std::optional<transaction_status> fake_status_;
    bool done_ = false;
};

class wrapped_driver final : public driver {
public:
    wrapped_driver(std::unique_ptr<driver> inner, std::shared_ptr<wrapper_controls> w)
        : inner_(std::move(inner)), w_(std::move(w)) {}
    [[nodiscard]] driver_state state() const noexcept override { return inner_->state(); }
    void connect(const binding& b) override { inner_->connect(b); }
    void close() override { inner_->close(); }
    [[nodiscard]] capabilities caps() const override { return shape(inner_->caps(), *w_); }
    [[nodiscard]] std::unique_ptr<row_source> execute(const statement& s, const execution_control& c) override {
        return execute_or_lose(*w_, [&] { return inner_->execute(s, c); });
    }
    [[nodiscard]] std::unique_ptr<connection> acquire(connection_intent intent, const execution_control& c) override {
        return std::make_unique<wrapped_connection>(inner_->acquire(intent, c), w_);
    }

private:
    std::unique_ptr<driver> inner_;
    std::shared_ptr<wrapper_controls> w_;
};

}  // namespace

strata::stack wrap_stack(strata::stack inner, std::shared_ptr<wrapper_controls> controls) {
    strata::stack s = std::move(inner);
    auto create = s.driver.create;
    s.driver.id += "+wrapped";
    s.driver.create = [create, controls] {
        return std::unique_ptr<driver>(new wrapped_driver(create(), controls));
    };
    return s;
}

}  // namespace strata::test
