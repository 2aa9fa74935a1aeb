#include "strata/result_stream.hpp"

#include "stream_state.hpp"
#include "strata/error.hpp"

namespace strata {

result_stream::result_stream(std::unique_ptr<detail::stream_state> state) noexcept : state_(std::move(state)) {}
result_stream::result_stream(result_stream&&) noexcept = default;
result_stream& result_stream::operator=(result_stream&&) noexcept = default;
result_stream::~result_stream() = default;

void result_stream::start(const char* operation) {
    if (!state_ || state_->started) {
        throw error(std::string(codes::runtime_iterator_consumed),
                    std::string("Cannot ") + operation +
                        ": this result was already read. A result is single-pass; keep the rows from all() "
                        "or execute the plan again.",
                    {{"operation", operation}});
    }
    state_->started = true;
}

const row* result_stream::pull() { return state_->pull(); }

result_stream::iterator::iterator(detail::stream_state* s) : state_(s), current_(s->pull()) {}

result_stream::iterator& result_stream::iterator::operator++() {
    current_ = state_->pull();
    return *this;
}

result_stream::iterator result_stream::begin() {
    start("iterate");
    return iterator{state_.get()};
}

std::vector<row> result_stream::all() {
    start("all()");
    std::vector<row> out;
    while (pull() != nullptr) out.push_back(state_->take_current());
    return out;
}

std::optional<row> result_stream::first() {
    start("first()");
    if (pull() == nullptr) return std::nullopt;
    row out = state_->take_current();
    state_->finish_early();
    return out;
}

row result_stream::one() {
    start("one()");
    if (pull() == nullptr) {
        throw error(std::string(codes::runtime_no_rows),
                    "one() expected exactly one row but the query returned none. Use first() when no row is "
                    "a valid answer.");
    }
    row out = state_->take_current();
    if (pull() != nullptr) {
        state_->finish_early();
        throw error(std::string(codes::runtime_too_many_rows),
                    "one() expected exactly one row but the query returned more. Add a condition or LIMIT 1, "
                    "or use first().");
    }
    return out;
}

std::uint64_t result_stream::drain() {
    start("drain()");
    while (pull() != nullptr) {
    }
    return state_->rows();
}

std::uint64_t result_stream::rows_read() const noexcept { return state_ ? state_->rows() : 0; }
std::uint64_t result_stream::affected_rows() const noexcept { return state_ ? state_->affected_rows() : 0; }

}  // namespace strata
