#include "strata/plan.hpp"

namespace strata {

namespace detail {
namespace {

// A few parameter vectors per thread, last in first out. Only small ones are kept, and
// text longer than a short string is dropped, so a thread holds little memory.
struct param_buffers {
    static constexpr std::size_t max_buffers = 4;
    static constexpr std::size_t max_params = 32;
    static constexpr std::size_t max_text = 1024;
    std::vector<value> buffers[max_buffers];
    std::size_t count = 0;
    bool dead = false;  // the thread's buffers are gone; later plans free their own
    param_buffers() = default;
    param_buffers(const param_buffers&) = delete;
    param_buffers& operator=(const param_buffers&) = delete;
    ~param_buffers() { dead = true; }
};

param_buffers& thread_buffers() noexcept {
    thread_local param_buffers b;
    return b;
}

}  // namespace

std::vector<value> take_param_buffer() noexcept {
    param_buffers& b = thread_buffers();
    if (b.count == 0 || b.dead) return {};
    return std::move(b.buffers[--b.count]);
}

void recycle_param_buffer(std::vector<value>&& params) noexcept {
    if (params.capacity() == 0 || params.capacity() > param_buffers::max_params) return;
    param_buffers& b = thread_buffers();
    if (b.dead || b.count == param_buffers::max_buffers) return;
    for (value& v : params) {
        if (std::string* text = value_access::text(v); text && text->capacity() > param_buffers::max_text) v = value{};
    }
    b.buffers[b.count++] = std::move(params);
}

}  // namespace detail

plan::plan(std::string sql, std::vector<value> params, plan_meta meta)
    : plan(std::make_shared<const plan_text>(plan_text{std::move(sql), std::move(meta)}), std::move(params)) {}

plan plan::with_tables(std::vector<std::string> tables) const {
    plan_text t = *text_;
    t.meta.tables = std::move(tables);
    return plan{std::make_shared<const plan_text>(std::move(t)), params_};
}

plan plan::with_kind(statement_kind kind) const {
    plan_text t = *text_;
    t.meta.kind = kind;
    return plan{std::make_shared<const plan_text>(std::move(t)), params_};
}

}  // namespace strata
