// Internal: per-thread stacks of std::vector<value>, so the vectors every execution fills
// (a plan's parameters, a result row's values) are reused instead of allocated.
//
// A vector given back keeps its elements: a text value keeps its string's capacity, and
// the next user writes text into the string already at that position. Only small
// vectors are kept, text longer than `max_text` and every blob or JSON value is dropped,
// so a thread holds little memory (at most max_buffers x max_values short values per
// kind of buffer). Each kind (parameters, rows) has its own stack so they do not trade
// their elements' capacity with each other.
//
// A vector given back on another thread simply joins that thread's stack. Once a
// thread's stack is destroyed (thread exit), later vectors free their own memory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "strata/value.hpp"

namespace strata::detail {

template <class Tag>
class value_buffers {
public:
    static constexpr std::size_t max_buffers = 4;
    static constexpr std::size_t max_values = 32;
    static constexpr std::size_t max_text = 1024;

    // This thread's most recently given vector (elements kept), or an empty one.
    [[nodiscard]] static std::vector<value> take() noexcept {
        value_buffers& b = local();
        if (b.count_ == 0 || b.dead_) return {};
        return std::move(b.buffers_[--b.count_]);
    }

    static void give(std::vector<value>&& v) noexcept {
        if (v.capacity() == 0 || v.capacity() > max_values) return;
        value_buffers& b = local();
        if (b.dead_ || b.count_ == max_buffers) return;
        for (value& x : v) {
            if (const std::string* text = value_access::text(x)) {
                if (text->capacity() > max_text) x = value{};
            } else if (x.kind() == value_kind::bytes || x.kind() == value_kind::json) {
                x = value{};
            }
        }
        b.buffers_[b.count_++] = std::move(v);
    }

    value_buffers(const value_buffers&) = delete;
    value_buffers& operator=(const value_buffers&) = delete;

private:
    value_buffers() = default;
    ~value_buffers() { dead_ = true; }

    static value_buffers& local() noexcept {
        thread_local value_buffers b;
        return b;
    }

    std::vector<value> buffers_[max_buffers];
    std::size_t count_ = 0;
    bool dead_ = false;  // the thread's stack is gone
};

// The vectors of result rows: a row gives its values back when it is destroyed; drivers
// take one to read the next row into.
struct row_buffer_tag;
using row_buffers = value_buffers<row_buffer_tag>;

[[nodiscard]] std::vector<value> take_row_buffer() noexcept;

}  // namespace strata::detail
