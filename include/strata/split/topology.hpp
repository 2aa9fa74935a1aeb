// Split stores, part 2: the stores, the one boot decision, and routing of writes and
// reads by id (see docs/decisions/0013-split-stores.md).
//
//   auto t = strata::split::topology::boot({.enabled = flag,
//                                           .legacy = {legacy_db},
//                                           .legacy_replica = strata::split::store{replica_db,
//                                                                 strata::split::role::read_replica},
//                                           .fresh = strata::split::store{messages_db}});
//   t.write_unit({id}, plans);                       // the owner of `id`, atomically
//   auto row = t.read_by_id(id, plan, strata::split::read_consistency::replica_ok);
//   auto rows = t.read_many_by_id(ids, [](std::vector<strata::value> g) {
//       const auto n = g.size();
//       return strata::sql_plan("SELECT * FROM m WHERE id IN (" + strata::split::placeholders(n) + ")", std::move(g));
//   });
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/atomic_writes.hpp"
#include "strata/row.hpp"
#include "strata/runtime.hpp"
#include "strata/split/ids.hpp"

namespace strata::split {

// How a store was configured. A read replica is branded by configuration, never inferred
// from what its handle can do: every write through it is SPLIT.REPLICA_WRITE, and every
// read must be a plan whose kind is statement_kind::read.
enum class role { primary, read_replica };
[[nodiscard]] std::string_view to_string(role r) noexcept;

struct store {
    runtime db;
    role brand = role::primary;
    std::string name{};  // for messages and status ("legacy", "messages", ...)

    // A write unit on this store: run_atomic_writes with require_atomic.
    // SPLIT.REPLICA_WRITE on a replica, before anything runs.
    [[nodiscard]] atomic_result write(const std::vector<plan>& plans) const;
    // A read. On a replica, SPLIT.REPLICA_WRITE unless plan.meta().kind is read.
    [[nodiscard]] result_stream read(plan p) const;
};

enum class read_consistency {
    replica_ok,        // legacy rows may come from the replica (may lag the primary)
    primary_required,  // legacy rows come from the legacy primary
};

// The shape of the dataset's ids (see ids.hpp): decides what classify() means.
enum class id_shape { int64, text };

struct config {
    bool enabled = false;  // the flag: split only when set
    id_shape ids = id_shape::int64;
    store legacy;                         // the legacy primary (control plane and old rows)
    std::optional<store> legacy_replica;  // its read replica; absent: reads use `legacy`
    std::optional<store> fresh;           // the new database
    // How long the legacy store keeps rows (older ones are purged from it), when it has
    // such a bound: a read that finds nothing can then tell "never existed or deleted"
    // from "older than the legacy store keeps" (topology::why_absent).
    std::optional<std::chrono::milliseconds> legacy_retention{};
};

// Why a read by id found nothing.
enum class absence {
    not_found,         // no such row where it would be
    beyond_retention,  // a legacy id older than config::legacy_retention: purged, not missing
};
[[nodiscard]] std::string_view to_string(absence a) noexcept;

// The boot decision, made once. `split` is true only when the flag is on, the new store
// is configured, and the identity probe shows the legacy and the new database are
// distinct (a failed probe keeps split off: fail closed).
struct boot_decision {
    bool split = false;
    std::string reason;            // one sentence, safe to log (no URL, no secret)
    std::string legacy_identity;   // e.g. "postgres:7301…:strata", "sqlite:/srv/app.db"
    std::string fresh_identity;    // empty when not probed
    std::string replica_identity;  // empty when no replica or not probed
};

// What identifies the database behind a runtime, from its adapter's identity hook
// (PostgreSQL: system identifier and database name; SQLite: the main file's path). Throws
// the driver's error when the probe cannot run; an in-memory database, or an adapter
// without the hook, has no identity (empty string).
[[nodiscard]] std::string database_identity(const runtime& db);

// Which store a read by id went to, and what it found.
struct found_row {
    residency from;
    row value;
};

// Builds the plan that reads the rows of one group of ids; `ids` are its parameters, in
// order, e.g. sql_plan("SELECT id, body FROM messages WHERE id IN (" +
// split::placeholders(ids.size()) + ")", std::move(ids)). Parameters of its own (a
// tenant...) are inserted by the function and counted in read_many_options.
using group_plan = std::function<plan(std::vector<value> ids)>;

// "?, ?, ?": n placeholders for an IN list.
[[nodiscard]] std::string placeholders(std::size_t n);

struct read_many_options {
    read_consistency consistency = read_consistency::replica_ok;
    std::string id_column = "id";      // the result column that holds each row's id
    std::size_t other_parameters = 0;  // parameters a group plan binds besides the ids
    std::size_t max_group = 0;         // at most this many ids per statement (0: the store's limit)
};

class topology {
public:
    // The one boot decision (runs the identity probes when the flag is on).
    [[nodiscard]] static topology boot(config c);

    [[nodiscard]] bool split() const noexcept { return decision_.split; }
    [[nodiscard]] const boot_decision& decision() const noexcept { return decision_; }

    // The store owning an id: the configured shape's classify(id) when split, always
    // legacy in passthrough.
    [[nodiscard]] residency owner(std::string_view id) const noexcept;
    [[nodiscard]] residency owner(std::int64_t id) const noexcept;

    // The primary of a residency (legacy in passthrough).
    [[nodiscard]] const store& writer(residency r) const noexcept;
    // Where a read of rows of residency r goes under a consistency.
    [[nodiscard]] const store& reader(residency r, read_consistency c) const noexcept;
    // The control plane (rows that never move): the legacy primary or, replica_ok, its replica.
    [[nodiscard]] const store& control(read_consistency c) const noexcept { return reader(residency::legacy, c); }

    // One atomic unit on the owner of every anchor id. Anchors owned by two stores:
    // SPLIT.CROSS_STORE_WRITE, before anything runs. No anchors: SPLIT.INVALID_ARGUMENT.
    [[nodiscard]] atomic_result write_unit(const std::vector<std::string>& anchor_ids,
                                           const std::vector<plan>& plans) const;
    [[nodiscard]] atomic_result write_unit(const std::vector<std::int64_t>& anchor_ids,
                                           const std::vector<plan>& plans) const;

    // A read by id with a plan returning at most one row (the same plan runs on each
    // store it asks): fresh-shaped → the new store only; legacy-shaped → the new store,
    // then the legacy replica (or primary, primary_required). Passthrough: one read.
    [[nodiscard]] std::optional<found_row> read_by_id(std::string_view id, const plan& p, read_consistency c) const;
    [[nodiscard]] std::optional<found_row> read_by_id(std::int64_t id, const plan& p, read_consistency c) const;

    // After a read by id found nothing: beyond_retention when a retention bound is
    // configured and the id is a legacy integer id (a snowflake: milliseconds << 22 since
    // 2025) minted longer ago than the bound; not_found otherwise (new ids, text ids,
    // whose legacy shapes carry no time, or no bound). now_unix_ms: tests pass their own.
    [[nodiscard]] absence why_absent(std::int64_t id) const noexcept;
    [[nodiscard]] absence why_absent(std::int64_t id, std::int64_t now_unix_ms) const noexcept;
    [[nodiscard]] absence why_absent(std::string_view id) const noexcept;

    // Hydrates many ids by read-through, in grouped IN queries: the new store is asked
    // for every id (when split), the legacy reader then for the legacy-shaped ids it did
    // not have. Each statement holds at most the store's caps().limits.max_parameters
    // less other_parameters ids (1,000 when the store reports no limit). The rows come back
    // in the caller's order of ids, one per occurrence; ids found nowhere are dropped.
    // SPLIT.INVALID_ARGUMENT when other_parameters leaves no room for an id.
    [[nodiscard]] std::vector<found_row> read_many_by_id(const std::vector<std::int64_t>& ids,
                                                         const group_plan& plan_for,
                                                         const read_many_options& o = {}) const;
    [[nodiscard]] std::vector<found_row> read_many_by_id(const std::vector<std::string>& ids,
                                                         const group_plan& plan_for,
                                                         const read_many_options& o = {}) const;

    // The stores a list reads, in order: [new, legacy reader] when split, [legacy reader]
    // otherwise.
    struct list_source {
        residency from;
        const store* where;
    };
    [[nodiscard]] std::vector<list_source> list_stores(read_consistency c) const;

    // Empty-state probe: true when the plan returns a row on any store (new first).
    [[nodiscard]] bool any(const plan& p, read_consistency c) const;

private:
    topology(config c, boot_decision d) : config_(std::move(c)), decision_(std::move(d)) {}
    [[nodiscard]] std::optional<found_row> read_by_owner(residency owner, const plan& p, read_consistency c) const;
    template <class Id>
    [[nodiscard]] std::vector<found_row> read_many(const std::vector<Id>& ids, const group_plan& plan_for,
                                                   const read_many_options& o) const;
    [[nodiscard]] atomic_result write_owned(const std::vector<residency>& owners, const std::vector<plan>& plans) const;

    config config_;
    boot_decision decision_;
};

}  // namespace strata::split
