// The ORM collection suites' fixture: the orm_schema tables migrated on a fresh database
// of every driver, a log of the statements that reached the driver (SQL, scope, lane) and
// telemetry counters, and one set of rows the read tests share.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../support/expect_error.hpp"
#include "driver_under_test.hpp"
#include "orm_schema.hpp"

namespace strata::test {

// Every statement the runtime executes, as the driver receives it.
class statement_log final : public middleware {
public:
    struct entry {
        std::string sql;
        execution_scope scope;
        lane source;
    };
    [[nodiscard]] std::string_view name() const noexcept override { return "statement_log"; }
    void before_execute(const execution_context& ctx) override {
        std::lock_guard lock(mutex_);
        entries_.push_back({std::string(ctx.sql), ctx.scope, ctx.statement->meta().source});
    }
    [[nodiscard]] std::vector<entry> entries() const {
        std::lock_guard lock(mutex_);
        return entries_;
    }
    [[nodiscard]] std::size_t count() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }
    void clear() {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    mutable std::mutex mutex_;
    std::vector<entry> entries_;
};

// ann(1) wrote posts 1, 2, 4; bob(2) wrote 3, 5; cy(3) none. Posts 2 and 3 share a
// created_at (keyset ties break on id). Comments on posts 1, 1, 3. Reviews of ann by
// bob and by nobody, of bob by ann.
// A minute of a fixed day: the created_at of the rows below.
inline orm_schema::stamp orm_time(int minute) {
    using namespace std::chrono;
    return sys_days{2026y / March / 1} + minutes{minute};
}

inline void migrate_orm_schema(const runtime& db) {
    using namespace orm_schema;
    (void)migrate(db, make_contract<authors, posts, comments, reviews, tags>());
}

inline void seed_orm_rows(const runtime& db) {
    using namespace orm_schema;
    orm::collection<authors> people(db);
    (void)people.create_many(
        {{set(authors::id, 1), set(authors::name, "ann"), set(authors::bio, "writes")},
         {set(authors::id, 2), set(authors::name, "bob"), set(authors::bio, std::optional<std::string>{})},
         {set(authors::id, 3), set(authors::name, "cy"), set(authors::bio, "quiet")}});
    std::vector<orm::data<posts>> rows;
    const int author_of[] = {1, 1, 2, 1, 2};
    const int minute_of[] = {1, 2, 2, 4, 5};
    for (int i = 1; i <= 5; ++i) {
        rows.push_back({set(posts::id, i), set(posts::author_id, author_of[i - 1]),
                        set(posts::title, "p" + std::to_string(i)), set(posts::likes, i * 10),
                        set(posts::created_at, orm_time(minute_of[i - 1]))});
    }
    (void)orm::collection<posts>(db).create_many(rows);
    (void)orm::collection<comments>(db).create_many(
        {{set(comments::id, 1), set(comments::post_id, 1), set(comments::body, "c1")},
         {set(comments::id, 2), set(comments::post_id, 1), set(comments::body, "c2")},
         {set(comments::id, 3), set(comments::post_id, 3), set(comments::body, "c3")}});
    (void)orm::collection<reviews>(db).create_many(
        {{set(reviews::id, 1), set(reviews::author_id, 1), set(reviews::reviewer_id, 2), set(reviews::stars, 5)},
         {set(reviews::id, 2), set(reviews::author_id, 1), set(reviews::reviewer_id, std::optional<std::int64_t>{}),
          set(reviews::stars, 3)},
         {set(reviews::id, 3), set(reviews::author_id, 2), set(reviews::reviewer_id, 1), set(reviews::stars, 4)}});
}

class orm_suite : public conformance {
protected:
    void SetUp() override {
        conformance::SetUp();
        if (IsSkipped()) return;  // no PostgreSQL cluster: the test is already marked
        log_ = std::make_shared<statement_log>();
        telemetry_ = std::make_shared<telemetry>();
        connect({log_, telemetry_});
        migrate_orm_schema(db());
        log_->clear();
    }

    static orm_schema::stamp at(int minute) { return orm_time(minute); }

    void seed() {
        seed_orm_rows(db());
        log_->clear();
    }

    // Statements executed since the last clear (telemetry agrees with the log).
    std::size_t statements() const { return log_->count(); }

    std::shared_ptr<statement_log> log_;
    std::shared_ptr<telemetry> telemetry_;
};

}  // namespace strata::test
