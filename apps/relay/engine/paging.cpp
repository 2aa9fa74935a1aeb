#include "engine/paging.hpp"

#include "engine/api_error.hpp"

namespace relay::detail {

namespace {
bool has_kind(const strata::value& v, key_kind k) {
    return v.kind() == (k == key_kind::integer ? strata::value_kind::integer : strata::value_kind::text);
}
}  // namespace

std::optional<strata::split::key> page_start(const page_request& page, key_kinds kinds) {
    if (!page.cursor) return std::nullopt;
    strata::split::key k;
    try {
        k = strata::split::decode_cursor(*page.cursor);
    } catch (const strata::error&) {
        fail(400, "invalid_cursor", "cursor is not one this list handed out; start again without it.");
    }
    if (!has_kind(k.created_at, kinds.first) || !has_kind(k.id, kinds.second))
        fail(400, "invalid_cursor", "cursor belongs to another list; start again without it.");
    return k;
}

strata::split::list_request keyset::request(const page_request& page) const {
    strata::split::list_request r;
    r.order = order;
    r.limit = page.limit;
    r.after = page_start(page, kinds);
    r.created_at_column = first_column;
    r.id_column = second_column;
    return r;
}

strata::plan keyset::plan(std::string query, std::vector<strata::value> params,
                          const std::optional<strata::split::key>& after, std::int64_t n) const {
    const bool ascending = order == direction::oldest_first;
    if (after) {
        query += " AND (" + first_sql + ", " + second_sql + (ascending ? ") > (?, ?)" : ") < (?, ?)");
        params.push_back(after->created_at);
        params.push_back(after->id);
    }
    const char* way = ascending ? " ASC" : " DESC";
    query += " ORDER BY " + first_sql + way + ", " + second_sql + way + " LIMIT ?";
    params.emplace_back(n);
    return strata::sql_plan(std::move(query), std::move(params));
}

strata::split::page read_page(const strata::runtime& db, const strata::split::list_request& request,
                              const strata::split::keyset_builder& build) {
    std::vector<strata::split::store_rows> sources(1);
    sources.front().from = strata::split::residency::legacy;
    sources.front().rows = db.execute(build(request.after, request.limit + 1)).all();
    return strata::split::merge(request, std::move(sources));
}

json page_json(json head, const char* items_name, json items, const strata::split::page& page) {
    head[items_name] = std::move(items);
    head["next_cursor"] = page.next_cursor ? json(*page.next_cursor) : json(nullptr);
    head["has_more"] = page.has_more;
    return head;
}

}  // namespace relay::detail
