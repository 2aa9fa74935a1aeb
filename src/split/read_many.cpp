// topology::read_many_by_id: many ids hydrated by read-through in grouped IN queries.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "strata/error.hpp"
#include "strata/split/topology.hpp"

namespace strata::split {
namespace {

// With no limit reported, groups stay at a size every database plans quickly.
constexpr std::size_t default_group = 1000;

std::size_t group_size(const store& s, const read_many_options& o) {
    const std::size_t limit = s.db.caps().limits.max_parameters;
    std::size_t room = default_group;
    if (limit != 0) {
        if (o.other_parameters >= limit) {
            throw error(std::string(codes::invalid_argument),
                        "read_many_by_id: other_parameters (" + std::to_string(o.other_parameters) +
                            ") leaves no room for an id under the store's limit of " + std::to_string(limit) +
                            " parameters per statement.",
                        {{"other_parameters", std::to_string(o.other_parameters)}, {"max_parameters", std::to_string(limit)}});
        }
        room = limit - o.other_parameters;
    }
    if (o.max_group != 0) room = std::min(room, o.max_group);
    return room;
}

// The id a row holds in the id column, if it is of the caller's id type.
const std::int64_t* id_of(const row& r, std::string_view column, const std::int64_t*) {
    return r.at(column).get_if<std::int64_t>();
}
const std::string* id_of(const row& r, std::string_view column, const std::string*) {
    return r.at(column).get_if<std::string>();
}

}  // namespace

std::string placeholders(std::size_t n) {
    std::string out;
    out.reserve(n * 3);
    for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

template <class Id>
std::vector<found_row> topology::read_many(const std::vector<Id>& ids, const group_plan& plan_for,
                                           const read_many_options& o) const {
    // Each id once, in the caller's order.
    std::vector<Id> unique;
    {
        std::unordered_set<Id> seen;
        for (const Id& id : ids)
            if (seen.insert(id).second) unique.push_back(id);
    }
    std::unordered_map<Id, found_row> found;
    auto read_groups = [&](const store& s, residency from, const std::vector<Id>& wanted) {
        const std::size_t per = group_size(s, o);
        for (std::size_t start = 0; start < wanted.size(); start += per) {
            const std::size_t end = std::min(wanted.size(), start + per);
            std::vector<value> group;
            group.reserve(end - start);
            for (std::size_t i = start; i < end; ++i) group.emplace_back(wanted[i]);
            for (row& r : s.read(plan_for(std::move(group))).all()) {
                const Id* id = id_of(r, o.id_column, static_cast<const Id*>(nullptr));
                if (id != nullptr) found.try_emplace(*id, found_row{from, std::move(r)});
            }
        }
    };
    if (decision_.split) {
        read_groups(*config_.fresh, residency::fresh, unique);  // the new store first, for every id
        // Then the legacy reader, for what the new store did not have: a fresh-shaped id
        // lives nowhere else.
        std::vector<Id> rest;
        for (const Id& id : unique) {
            if (owner(id) == residency::legacy && !found.contains(id)) rest.push_back(id);
        }
        read_groups(reader(residency::legacy, o.consistency), residency::legacy, rest);
    } else {
        read_groups(reader(residency::legacy, o.consistency), residency::legacy, unique);
    }
    std::vector<found_row> out;
    out.reserve(ids.size());
    for (const Id& id : ids) {
        if (auto it = found.find(id); it != found.end()) out.push_back(it->second);
    }
    return out;
}

std::vector<found_row> topology::read_many_by_id(const std::vector<std::int64_t>& ids, const group_plan& plan_for,
                                                 const read_many_options& o) const {
    return read_many(ids, plan_for, o);
}

std::vector<found_row> topology::read_many_by_id(const std::vector<std::string>& ids, const group_plan& plan_for,
                                                 const read_many_options& o) const {
    return read_many(ids, plan_for, o);
}

}  // namespace strata::split
