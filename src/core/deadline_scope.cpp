#include "strata/deadline_scope.hpp"

#include "commit_groups.hpp"

namespace strata {
namespace {
thread_local std::optional<clock::time_point> ambient;
}  // namespace

deadline_scope::deadline_scope(clock::time_point deadline) noexcept : previous_(ambient) {
    ambient = tighten(deadline);
}

deadline_scope::~deadline_scope() {
    ambient = previous_;
}

std::optional<clock::time_point> deadline_scope::current() noexcept {
    return ambient;
}

std::optional<clock::time_point> deadline_scope::tighten(std::optional<clock::time_point> own) noexcept {
    if (!ambient) return own;
    if (!own || *ambient < *own) return ambient;
    return own;
}

}  // namespace strata

namespace strata::detail {

ambient_deadline_override::ambient_deadline_override(std::optional<clock::time_point> deadline) noexcept
    : previous_(ambient) {
    ambient = deadline;
}

ambient_deadline_override::~ambient_deadline_override() { ambient = previous_; }

}  // namespace strata::detail
