#include "heap_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> live{0};
constexpr std::size_t header = alignof(std::max_align_t);

void* counted_alloc(std::size_t n) {
    void* p = std::malloc(n + header);
    if (p == nullptr) throw std::bad_alloc();
    *static_cast<std::size_t*>(p) = n;
    live.fetch_add(n, std::memory_order_relaxed);
    return static_cast<char*>(p) + header;
}

void counted_free(void* p) noexcept {
    if (p == nullptr) return;
    void* base = static_cast<char*>(p) - header;
    live.fetch_sub(*static_cast<std::size_t*>(base), std::memory_order_relaxed);
    std::free(base);
}
}  // namespace

namespace strata::test {
std::size_t live_heap_bytes() noexcept { return live.load(); }
}  // namespace strata::test

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_alloc(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_alloc(n);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
