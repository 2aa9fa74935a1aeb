// Internal: a per-thread free list of fixed-size memory blocks, for the objects every
// execution creates and destroys (a stream's state, a driver's row source).
//
// malloc + free of those blocks was ~150 instructions per object and per execution, a
// tenth of what strata added to an SQLite point select. A block taken from and given back
// to the calling thread's list costs a few instructions and no atomic operation. A block
// freed on another thread than the one that allocated it simply joins that thread's list
// (all blocks come from the global operator new). Each list keeps at most `MaxCached`
// blocks and frees them when its thread ends.
//
// Under AddressSanitizer a cached block is poisoned, so a use after free of one of these
// objects is still reported.
//
// Usage, in a class:
//   static void* operator new(std::size_t n) { return block_cache<sizeof(T)>::allocate(n); }
//   static void operator delete(void* p, std::size_t n) noexcept { block_cache<sizeof(T)>::deallocate(p, n); }
#pragma once

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_BLOCK_CACHE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_BLOCK_CACHE_ASAN 1
#endif
#endif

#ifdef STRATA_BLOCK_CACHE_ASAN
#include <sanitizer/asan_interface.h>
#define STRATA_BLOCK_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define STRATA_BLOCK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define STRATA_BLOCK_POISON(p, n) ((void)(p), (void)(n))
#define STRATA_BLOCK_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace strata::detail {

template <std::size_t Size, std::size_t MaxCached = 16>
class block_cache {
    static_assert(Size >= sizeof(void*));

public:
    // `n` is the size the class-specific operator new was asked for: Size for the class
    // itself; anything else (a derived class) goes to the global allocator.
    [[nodiscard]] static void* allocate(std::size_t n) {
        if (n == Size) {
            free_list& l = list();
            if (l.head != nullptr) {
                node* b = l.head;
                STRATA_BLOCK_UNPOISON(b, Size);
                l.head = b->next;
                --l.count;
                return b;
            }
        }
        return ::operator new(n);
    }

    static void deallocate(void* p, std::size_t n) noexcept {
        if (p == nullptr) return;
        if (n == Size) {
            free_list& l = list();
            if (!l.dead && l.count < MaxCached) {
                l.head = ::new (p) node{l.head};
                ++l.count;
                STRATA_BLOCK_POISON(p, Size);
                return;
            }
        }
        ::operator delete(p, n);
    }

private:
    struct node {
        node* next;
    };
    struct free_list {
        node* head = nullptr;
        std::size_t count = 0;
        bool dead = false;  // the thread's list is gone: blocks freed later go to the global allocator
        free_list() = default;
        free_list(const free_list&) = delete;
        free_list& operator=(const free_list&) = delete;
        ~free_list() {
            dead = true;
            while (head != nullptr) {
                node* b = head;
                STRATA_BLOCK_UNPOISON(b, Size);
                head = b->next;
                ::operator delete(static_cast<void*>(b), Size);
            }
            count = 0;
        }
    };
    static free_list& list() noexcept {
        thread_local free_list l;
        return l;
    }
};

}  // namespace strata::detail
