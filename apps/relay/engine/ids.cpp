#include "engine/ids.hpp"

#include <charconv>
#include <stdexcept>
#include <thread>

#include "engine/clock.hpp"

namespace relay {
namespace {
constexpr std::int64_t epoch_ms = 1735689600000;  // 2025-01-01T00:00:00Z
constexpr int worker_bits = 10;
constexpr int sequence_bits = 12;
constexpr std::int64_t max_sequence = (std::int64_t{1} << sequence_bits) - 1;
}  // namespace

id_generator::id_generator(int node) : worker_(node) {
    if (node < 0 || node >= (1 << worker_bits)) throw std::invalid_argument("node ids are 0..1023");
}

std::int64_t id_generator::next() {
    std::lock_guard lock(mutex_);
    std::int64_t ms = now_ms() - epoch_ms;
    if (ms < last_ms_) ms = last_ms_;  // the clock stepped back: stay monotonic
    if (ms == last_ms_) {
        if (++sequence_ > max_sequence) {
            ++ms;  // borrow the next millisecond rather than wait
            sequence_ = 0;
        }
    } else {
        sequence_ = 0;
    }
    last_ms_ = ms;
    return (ms << (worker_bits + sequence_bits)) | (worker_ << sequence_bits) | sequence_;
}

std::string id_text(std::int64_t id) {
    return std::to_string(id);
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    std::int64_t v = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (text.empty() || ec != std::errc{} || ptr != last || v <= 0) return std::nullopt;
    return v;
}

}  // namespace relay
