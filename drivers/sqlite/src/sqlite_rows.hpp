// Internal: the row source of one SQLite statement.
#pragma once

#include <memory>
#include <vector>

#include "foundation/block_cache.hpp"
#include "sqlite_pool.hpp"
#include "strata/driver.hpp"

namespace strata::sqlite::detail {

// Binds one value to parameter idx. Text, blobs and JSON are bound with `lifetime`
// (SQLITE_STATIC when the value outlives the statement's use, else SQLITE_TRANSIENT).
[[nodiscard]] int bind_value(sqlite3_stmt* stmt, int idx, const value& v, sqlite3_destructor_type lifetime);

class rows final : public row_source {
public:
    // Nothing touches SQLite until the first next(), which takes the statement from the
    // cache, binds and steps under one lock. `scoped`: the statement runs on a
    // sqlite_connection (a transaction), which holds the raw connection.
    rows(lease&& l, const statement& s, const execution_control& control, bool scoped) noexcept;
    ~rows() override;
    // One per execution: recycled through a per-thread block cache instead of malloc.
    static void* operator new(std::size_t n) { return strata::detail::block_cache<sizeof(rows)>::allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept {
        strata::detail::block_cache<sizeof(rows)>::deallocate(p, n);
    }
    bool next(row& out) override;
    [[nodiscard]] std::uint64_t affected_rows() const noexcept override { return affected_; }

private:
    using hint = column_layout::hint;
    void start();
    void bind(const std::vector<value>& params);
    void ensure_layout();
    void read_row(row& out);
    void release() noexcept;
    [[noreturn]] void fail(int rc);
    [[nodiscard]] std::unique_lock<std::mutex> lock_for_work();
    static int on_progress(void* self) noexcept;

    lease lease_;
    std::string_view sql_;
    const plan* plan_;
    statement_loan loan_;
    sqlite3_stmt* stmt_ = nullptr;  // the loan's statement while we hold it
    bool started_ = false;
    execution_control control_;
    bool stopped_by_control_ = false;
    bool scoped_ = false;
    std::uint64_t affected_ = 0;
    const column_layout* layout_ = nullptr;  // owned by the loaned statement
};

}  // namespace strata::sqlite::detail
