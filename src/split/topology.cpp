#include "strata/split/topology.hpp"

#include "strata/error.hpp"
#include "strata/sql.hpp"

namespace strata::split {
namespace {

[[noreturn]] void replica_write(const store& s, std::string_view what) {
    throw error(std::string(codes::replica_write),
                "The store '" + s.name + "' is configured as a read replica; " + std::string(what) +
                    " Send writes to its primary.",
                {{"store", s.name}});
}

std::string store_label(const store& s, std::string_view fallback) {
    return s.name.empty() ? std::string(fallback) : s.name;
}

}  // namespace

std::string_view to_string(role r) noexcept {
    return r == role::read_replica ? "read_replica" : "primary";
}

atomic_result store::write(const std::vector<plan>& plans) const {
    if (brand == role::read_replica) replica_write(*this, "a write unit cannot run on it.");
    return run_atomic_writes(db, plans, atomic_options{.require_atomic = true});
}

result_stream store::read(plan p) const {
    if (brand == role::read_replica && p.meta().kind != statement_kind::read)
        replica_write(*this,
                      "only plans known to be reads run on it (plan kind read; a raw WITH or other statement "
                      "can be marked with plan.with_kind(strata::statement_kind::read)).");
    return db.execute(std::move(p));
}

std::string database_identity(const runtime& db) {
    // The adapter knows its dialect's catalog; one without an identity hook cannot be
    // proven distinct (split stays off).
    const auto& identify = db.stack().adapter.identity;
    return identify ? identify(db) : std::string();
}

topology topology::boot(config c) {
    boot_decision d;
    if (c.legacy_replica && c.legacy_replica->name.empty()) c.legacy_replica->name = "legacy-replica";
    if (c.legacy.name.empty()) c.legacy.name = "legacy";
    if (c.fresh && c.fresh->name.empty()) c.fresh->name = "new";
    if (!c.enabled) {
        d.reason = "split is off: the flag is not set; every read and write goes to the legacy database.";
        return topology(std::move(c), std::move(d));
    }
    if (!c.fresh) {
        d.reason = "split is off: no new database is configured; every read and write goes to the legacy database.";
        return topology(std::move(c), std::move(d));
    }
    if (c.fresh->brand == role::read_replica) {
        d.reason = "split is off: the new database is configured as a read replica; it must be a primary.";
        return topology(std::move(c), std::move(d));
    }
    try {
        d.legacy_identity = database_identity(c.legacy.db);
        d.fresh_identity = database_identity(c.fresh->db);
        if (c.legacy_replica) d.replica_identity = database_identity(c.legacy_replica->db);
    } catch (const std::exception& e) {
        const auto* se = dynamic_cast<const error*>(&e);
        d.reason = "split is off: the database identity probe failed (" + (se ? se->code() : std::string("error")) +
                   "); without proof the two databases are distinct, everything stays on the legacy database.";
        return topology(std::move(c), std::move(d));
    }
    if (d.legacy_identity.empty() || d.fresh_identity.empty()) {
        d.reason =
            "split is off: an in-memory or unidentifiable database cannot be proven distinct; everything "
            "stays on the legacy database.";
    } else if (d.legacy_identity == d.fresh_identity) {
        d.reason = "split is off: the legacy and the new URL reach the same database (" + d.fresh_identity +
                   "); give the new database its own URL.";
    } else if (!d.replica_identity.empty() && d.replica_identity == d.fresh_identity) {
        d.reason =
            "split is off: the legacy replica URL reaches the new database; it must reach a replica of the "
            "legacy database.";
    } else {
        d.split = true;
        d.reason = "split is on: new-shaped ids live in '" + c.fresh->name + "', legacy ids in '" + c.legacy.name +
                   "' (reads of old rows from '" + store_label(c.legacy_replica ? *c.legacy_replica : c.legacy, "") +
                   "').";
    }
    return topology(std::move(c), std::move(d));
}

residency topology::owner(std::string_view id) const noexcept {
    if (!decision_.split) return residency::legacy;
    return config_.ids == id_shape::int64 ? int64_ids::classify(id) : text_ids::classify(id);
}

std::string_view to_string(absence a) noexcept {
    return a == absence::beyond_retention ? "beyond_retention" : "not_found";
}

absence topology::why_absent(std::int64_t id) const noexcept {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return why_absent(id, now.count());
}

absence topology::why_absent(std::int64_t id, std::int64_t now_unix_ms) const noexcept {
    if (!config_.legacy_retention || config_.ids != id_shape::int64) return absence::not_found;
    if (owner(id) == residency::fresh) return absence::not_found;  // the new store keeps what it owns
    const std::int64_t minted = int64_ids::legacy_minted_at_ms(id);
    if (minted < 0) return absence::not_found;
    return now_unix_ms - minted > config_.legacy_retention->count() ? absence::beyond_retention : absence::not_found;
}

absence topology::why_absent(std::string_view id) const noexcept {
    if (config_.ids != id_shape::int64) return absence::not_found;  // text ids: legacy shapes carry no time
    const std::optional<std::int64_t> v = int64_ids::parse(id);
    return v ? why_absent(*v) : absence::not_found;
}

residency topology::owner(std::int64_t id) const noexcept {
    if (!decision_.split) return residency::legacy;
    return config_.ids == id_shape::int64 ? int64_ids::classify(id) : residency::legacy;
}

const store& topology::writer(residency r) const noexcept {
    return decision_.split && r == residency::fresh ? *config_.fresh : config_.legacy;
}

const store& topology::reader(residency r, read_consistency c) const noexcept {
    if (decision_.split && r == residency::fresh) return *config_.fresh;
    if (c == read_consistency::replica_ok && config_.legacy_replica) return *config_.legacy_replica;
    return config_.legacy;
}

atomic_result topology::write_owned(const std::vector<residency>& owners, const std::vector<plan>& plans) const {
    if (owners.empty())
        throw error(std::string(codes::invalid_argument),
                    "A split write unit needs at least one anchor id: the id whose store owns the unit.");
    const residency first = owners.front();
    for (residency r : owners)
        if (r != first)
            throw error(std::string(codes::cross_store_write),
                        "This write unit's anchor ids live in two stores (new and legacy); a unit commits on one "
                        "database. Split it into one unit per store, or anchor it on ids of one store.",
                        {{"stores", "new,legacy"}});
    return writer(first).write(plans);
}

atomic_result topology::write_unit(const std::vector<std::string>& anchor_ids, const std::vector<plan>& plans) const {
    std::vector<residency> owners;
    owners.reserve(anchor_ids.size());
    for (const auto& id : anchor_ids) owners.push_back(owner(std::string_view(id)));
    return write_owned(owners, plans);
}

atomic_result topology::write_unit(const std::vector<std::int64_t>& anchor_ids, const std::vector<plan>& plans) const {
    std::vector<residency> owners;
    owners.reserve(anchor_ids.size());
    for (std::int64_t id : anchor_ids) owners.push_back(owner(id));
    return write_owned(owners, plans);
}

std::optional<found_row> topology::read_by_owner(residency owner, const plan& p, read_consistency c) const {
    if (owner == residency::fresh) {  // only when split
        if (auto r = config_.fresh->read(p).first()) return found_row{residency::fresh, std::move(*r)};
        return std::nullopt;
    }
    if (decision_.split) {
        if (auto r = config_.fresh->read(p).first()) return found_row{residency::fresh, std::move(*r)};
    }
    if (auto r = reader(residency::legacy, c).read(p).first()) return found_row{residency::legacy, std::move(*r)};
    return std::nullopt;
}

std::optional<found_row> topology::read_by_id(std::string_view id, const plan& p, read_consistency c) const {
    return read_by_owner(owner(id), p, c);
}

std::optional<found_row> topology::read_by_id(std::int64_t id, const plan& p, read_consistency c) const {
    return read_by_owner(owner(id), p, c);
}

std::vector<topology::list_source> topology::list_stores(read_consistency c) const {
    std::vector<list_source> out;
    if (decision_.split) out.push_back({residency::fresh, &*config_.fresh});
    out.push_back({residency::legacy, &reader(residency::legacy, c)});
    return out;
}

bool topology::any(const plan& p, read_consistency c) const {
    for (const auto& source : list_stores(c))
        if (source.where->read(p).first()) return true;
    return false;
}

}  // namespace strata::split
