// strata::result_stream — the lazy, move-only, single-pass result of execute(plan).
//
// Nothing is read until the first pull. Read it once: range-for, all(), first() or
// one(); a second read fails with RUNTIME.ITERATOR_CONSUMED. Rows stream one at a time,
// so memory stays flat however many rows come back. Dropping the stream early releases
// its connection.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "strata/row.hpp"

namespace strata {

namespace detail {
class stream_state;  // the execution behind a stream (runtime internals)
}

class result_stream {
public:
    explicit result_stream(std::unique_ptr<detail::stream_state> state) noexcept;
    result_stream(result_stream&&) noexcept;
    result_stream& operator=(result_stream&&) noexcept;
    result_stream(const result_stream&) = delete;
    result_stream& operator=(const result_stream&) = delete;
    ~result_stream();

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = row;
        using difference_type = std::ptrdiff_t;
        using pointer = const row*;
        using reference = const row&;

        iterator() = default;
        reference operator*() const noexcept { return *current_; }
        pointer operator->() const noexcept { return current_; }
        iterator& operator++();
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept { return it.current_ == nullptr; }

    private:
        friend class result_stream;
        // Points at the execution, not at the result_stream object, so moving the stream
        // (into a vector, say) leaves its iterators valid.
        explicit iterator(detail::stream_state* s);
        detail::stream_state* state_ = nullptr;
        const row* current_ = nullptr;
    };

    [[nodiscard]] iterator begin();
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    // Reads every remaining row.
    [[nodiscard]] std::vector<row> all();
    // The first row (or none); the rest is discarded unread.
    [[nodiscard]] std::optional<row> first();
    // Exactly one row: RUNTIME.NO_ROWS when empty, RUNTIME.TOO_MANY_ROWS when more.
    [[nodiscard]] row one();
    // Reads the stream to the end without keeping rows; returns how many there were.
    std::uint64_t drain();

    template <class T>
    [[nodiscard]] std::vector<T> all_as() {
        std::vector<T> out;
        for (const row& r : *this) out.push_back(r.as<T>());
        return out;
    }
    template <class T>
    [[nodiscard]] std::optional<T> first_as() {
        auto r = first();
        if (!r) return std::nullopt;
        return r->as<T>();
    }
    template <class T>
    [[nodiscard]] T one_as() {
        return one().as<T>();
    }

    // Rows pulled so far.
    [[nodiscard]] std::uint64_t rows_read() const noexcept;
    // Rows the statement inserted, updated or deleted; known once the stream has ended.
    [[nodiscard]] std::uint64_t affected_rows() const noexcept;

private:
    void start(const char* operation);
    const row* pull();
    std::unique_ptr<detail::stream_state> state_;
};

}  // namespace strata
