// Split stores, part 4: a bounded, expiring cache for control-plane lookups — the rows
// that stay on the legacy database (workspaces, agents, channels…) and that data on the
// new database refers to. They are looked up through it and joined in memory, never
// across databases. Values and confirmed absences are cached with their own TTLs;
// a lookup that throws is never cached (the next call asks again).
//
// Invalidation cannot be undone by a race: a lookup runs outside the lock, so it may
// read a row just before a writer changes it and calls invalidate(); such a lookup's
// answer goes to its caller but not into the cache (every invalidation bumps a
// generation, and a lookup that overlapped one does not store its answer). Entries can be
// grouped (e.g. every agent of a workspace) by a function given at construction and
// dropped together with invalidate_group().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "strata/error.hpp"
#include "strata/split/ids.hpp"

namespace strata::split {

struct resolver_options {
    std::size_t capacity = 10000;                 // entries, ≥ 1
    std::chrono::milliseconds value_ttl{30000};   // > 0
    std::chrono::milliseconds absence_ttl{5000};  // ≥ 0 (0: absences not cached)
};

struct resolver_stats {
    std::size_t hits = 0;
    std::size_t misses = 0;     // lookups run
    std::size_t evictions = 0;  // dropped for capacity
    std::size_t size = 0;
};

template <class Key, class Value, class Hash = std::hash<Key>>
class cached_resolver {
public:
    using clock = std::chrono::steady_clock;
    using lookup_fn = std::function<std::optional<Value>(const Key&)>;
    // The group of an entry, from its key and what the lookup found (nullopt: absent).
    using group_fn = std::function<std::string(const Key&, const std::optional<Value>&)>;

    cached_resolver(lookup_fn lookup, resolver_options options = {}, group_fn group_of = {})
        : lookup_(std::move(lookup)), group_of_(std::move(group_of)), options_(options) {
        if (!lookup_ || options_.capacity == 0 || options_.value_ttl.count() <= 0 || options_.absence_ttl.count() < 0)
            throw error(std::string(codes::invalid_argument),
                        "cached_resolver needs a lookup function, capacity >= 1, value_ttl > 0 and absence_ttl >= 0.");
    }

    // The cached answer, or the lookup's (then cached). nullopt: confirmed absent.
    std::optional<Value> resolve(const Key& k) {
        std::uint64_t generation = 0;
        {
            std::lock_guard lock(mutex_);
            auto it = index_.find(k);
            if (it != index_.end()) {
                if (clock::now() < it->second->expires) {
                    entries_.splice(entries_.begin(), entries_, it->second);
                    ++stats_.hits;
                    return it->second->value;
                }
                entries_.erase(it->second);
                index_.erase(it);
            }
            ++stats_.misses;
            generation = generation_;
        }
        std::optional<Value> found = lookup_(k);  // outside the lock; throws are not cached
        const auto ttl = found ? options_.value_ttl : options_.absence_ttl;
        std::string group = ttl.count() > 0 && group_of_ ? group_of_(k, found) : std::string();
        if (ttl.count() > 0) {
            std::lock_guard lock(mutex_);
            if (generation != generation_) return found;  // an invalidation overlapped the lookup
            if (auto it = index_.find(k); it != index_.end()) {
                entries_.erase(it->second);
                index_.erase(it);
            }
            entries_.push_front(entry{k, found, clock::now() + ttl, std::move(group)});
            index_.emplace(k, entries_.begin());
            while (entries_.size() > options_.capacity) {
                index_.erase(entries_.back().key);
                entries_.pop_back();
                ++stats_.evictions;
            }
        }
        return found;
    }

    void invalidate(const Key& k) {
        std::lock_guard lock(mutex_);
        ++generation_;
        if (auto it = index_.find(k); it != index_.end()) {
            entries_.erase(it->second);
            index_.erase(it);
        }
    }
    // Drops every entry whose group (see group_fn) is `group`: O(entries).
    // SPLIT.INVALID_ARGUMENT when the resolver was built without a group function.
    void invalidate_group(const std::string& group) {
        if (!group_of_)
            throw error(std::string(codes::invalid_argument),
                        "invalidate_group needs a resolver built with a group function.");
        std::lock_guard lock(mutex_);
        ++generation_;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->group == group) {
                index_.erase(it->key);
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
    }
    void clear() {
        std::lock_guard lock(mutex_);
        ++generation_;
        entries_.clear();
        index_.clear();
    }
    [[nodiscard]] resolver_stats stats() const {
        std::lock_guard lock(mutex_);
        resolver_stats s = stats_;
        s.size = entries_.size();
        return s;
    }

private:
    struct entry {
        Key key;
        std::optional<Value> value;
        clock::time_point expires;
        std::string group;
    };
    lookup_fn lookup_;
    group_fn group_of_;
    resolver_options options_;
    std::uint64_t generation_ = 0;  // bumped by every invalidation
    mutable std::mutex mutex_;
    std::list<entry> entries_;
    std::unordered_map<Key, typename std::list<entry>::iterator, Hash> index_;
    resolver_stats stats_;
};

}  // namespace strata::split
