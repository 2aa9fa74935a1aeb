#include "strata/split/keyset.hpp"

#include <algorithm>
#include <charconv>
#include <future>

#include "strata/error.hpp"

namespace strata::split {
namespace {

// What a cursor may take: room for text keys of a few KiB, small enough for a URL.
constexpr std::size_t max_cursor_bytes = 8192;

[[noreturn]] void order_mismatch(const std::string& why) {
    throw error(std::string(codes::order_mismatch), why);
}

[[noreturn]] void cursor_invalid() {
    throw error(std::string(codes::cursor_invalid),
                "The cursor is not one this list returned; start again without a cursor.");
}

int compare_component(const value& a, const value& b, std::string_view what) {
    if (a.is_null() || b.is_null())
        order_mismatch("A keyset " + std::string(what) +
                       " is NULL; keyset columns must be NOT NULL (SQLite and PostgreSQL order NULLs differently).");
    if (a.kind() != b.kind())
        order_mismatch("Keyset " + std::string(what) + " values of different kinds (" +
                       std::string(to_string(a.kind())) + ", " + std::string(to_string(b.kind())) +
                       ") cannot be ordered; both stores must return the same column types.");
    switch (a.kind()) {
        case value_kind::integer: {
            const auto x = *a.get_if<std::int64_t>(), y = *b.get_if<std::int64_t>();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        case value_kind::time: {
            const auto x = *a.get_if<timestamp>(), y = *b.get_if<timestamp>();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        case value_kind::text: {
            // Bytewise, as unsigned bytes: SQLite BINARY and PostgreSQL COLLATE "C".
            const int c = a.get_if<std::string>()->compare(*b.get_if<std::string>());
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        default:
            order_mismatch("A keyset " + std::string(what) + " must be an integer, a time or text, not " +
                           std::string(to_string(a.kind())) + ".");
    }
}

void check_key_kind(const value& v, std::string_view what) {
    const auto k = v.kind();
    const bool ok = what == "created_at" ? (k == value_kind::integer || k == value_kind::time || k == value_kind::text)
                                         : (k == value_kind::integer || k == value_kind::text);
    if (!ok)
        order_mismatch("A keyset " + std::string(what) + " must be " +
                       (what == "created_at" ? "an integer, a time or text" : "an integer or text") + ", not " +
                       std::string(to_string(k)) + ".");
}

std::string hex(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::optional<std::string> unhex(std::string_view s) {
    if (s.size() % 2 != 0) return std::nullopt;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size() / 2);
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = digit(s[i]), lo = digit(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::string encode_component(const value& v) {
    switch (v.kind()) {
        case value_kind::integer:
            return "i" + std::to_string(*v.get_if<std::int64_t>());
        case value_kind::time:
            return "m" + std::to_string(v.get_if<timestamp>()->time_since_epoch().count());
        case value_kind::text:
            return "t" + hex(*v.get_if<std::string>());
        default:
            order_mismatch("A keyset value must be an integer, a time or text.");
    }
}

std::optional<value> decode_component(std::string_view s) {
    if (s.empty()) return std::nullopt;
    const char tag = s.front();
    const std::string_view body = s.substr(1);
    if (tag == 't') {
        auto text = unhex(body);
        if (!text) return std::nullopt;
        return value(std::move(*text));
    }
    if (tag != 'i' && tag != 'm') return std::nullopt;
    std::int64_t n = 0;
    if (body.empty() || body.front() == '+') return std::nullopt;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), n);
    if (ec != std::errc{} || ptr != body.data() + body.size()) return std::nullopt;
    if (tag == 'i') return value(n);
    return value(timestamp(std::chrono::microseconds(n)));
}

void check_request(const list_request& req) {
    if (req.limit < 1 || req.limit > 10000)
        throw error(std::string(codes::invalid_argument), "A list limit is 1..10000.",
                    {{"limit", std::to_string(req.limit)}});
    if (req.created_at_column.empty() || req.id_column.empty())
        throw error(std::string(codes::invalid_argument), "A list needs the names of its created_at and id columns.");
}

}  // namespace

int compare(const key& a, const key& b) {
    const int c = compare_component(a.created_at, b.created_at, "created_at");
    return c != 0 ? c : compare_component(a.id, b.id, "id");
}

std::string encode_cursor(const key& k) {
    check_key_kind(k.created_at, "created_at");
    check_key_kind(k.id, "id");
    std::string cursor = "k1." + encode_component(k.created_at) + "." + encode_component(k.id);
    // A cursor decode_cursor would refuse is never handed out (a text key of a few KiB).
    if (cursor.size() > max_cursor_bytes) cursor_invalid();
    return cursor;
}

key decode_cursor(std::string_view cursor) {
    if (cursor.size() > max_cursor_bytes || cursor.substr(0, 3) != "k1.") cursor_invalid();
    const std::string_view rest = cursor.substr(3);
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) cursor_invalid();
    auto created_at = decode_component(rest.substr(0, dot));
    auto id = decode_component(rest.substr(dot + 1));
    if (!created_at || !id || id->kind() == value_kind::time) cursor_invalid();
    return key{std::move(*created_at), std::move(*id)};
}

page merge(const list_request& request, std::vector<store_rows> sources) {
    check_request(request);
    const int sign = request.order == direction::newest_first ? -1 : 1;  // list order = sign * ascending
    // Candidates point into the sources' rows: nothing is copied until the page is cut.
    struct candidate {
        const value* created_at;
        const value* id;
        std::size_t source;
        std::size_t index;
    };
    auto in_order = [sign](const candidate& a, const candidate& b) {
        int c = compare_component(*a.created_at, *b.created_at, "created_at");
        if (c == 0) c = compare_component(*a.id, *b.id, "id");
        return sign * c < 0;
    };
    auto id_less = [](const value* a, const value* b) { return compare_component(*a, *b, "id") < 0; };
    std::vector<candidate> all;
    std::vector<const value*> taken;  // ids of earlier sources (the new store comes first and wins), sorted
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const auto& rows = sources[s].rows;
        const std::size_t first_here = all.size();
        std::size_t created_at_col = 0, id_col = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const row& r = rows[i];
            if (i == 0 || r.shape_ptr() != rows[i - 1].shape_ptr()) {
                created_at_col = r.shape().find(request.created_at_column);
                id_col = r.shape().find(request.id_column);
                if (created_at_col == row_shape::npos) (void)r.at(request.created_at_column);  // COLUMN_NOT_FOUND
                if (id_col == row_shape::npos) (void)r.at(request.id_column);
            }
            candidate c{&r.values()[created_at_col], &r.values()[id_col], s, i};
            check_key_kind(*c.created_at, "created_at");
            check_key_kind(*c.id, "id");
            if (request.after) {
                int vs = compare_component(*c.created_at, request.after->created_at, "created_at");
                if (vs == 0) vs = compare_component(*c.id, request.after->id, "id");
                if (sign * vs <= 0)
                    order_mismatch("The store '" + std::string(to_string(sources[s].from)) +
                                   "' returned a row at or before the cursor; the keyset query must select rows "
                                   "strictly after its key.");
            }
            if (all.size() > first_here && !in_order(all.back(), c))
                order_mismatch("The store '" + std::string(to_string(sources[s].from)) +
                               "' returned rows out of (created_at, id) order; order by both columns in the list's "
                               "direction with a bytewise collation for text (COLLATE \"C\" on PostgreSQL).");
            if (std::binary_search(taken.begin(), taken.end(), c.id, id_less)) continue;  // the new store wins
            all.push_back(c);
        }
        // Each source's run is already in list order: merge it into what came before.
        std::inplace_merge(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(first_here), all.end(), in_order);
        if (s + 1 < sources.size()) {
            for (const candidate& c : all)
                if (c.source == s) taken.push_back(c.id);
            std::sort(taken.begin(), taken.end(), id_less);
        }
    }
    page out;
    const auto limit = static_cast<std::size_t>(request.limit);
    out.has_more = all.size() > limit;
    if (all.size() > limit) all.resize(limit);
    if (!all.empty()) out.last = key{*all.back().created_at, *all.back().id};
    if (out.has_more) out.next_cursor = encode_cursor(*out.last);
    out.rows.reserve(all.size());
    out.from.reserve(all.size());
    for (const candidate& c : all) {
        out.from.push_back(sources[c.source].from);
        out.rows.push_back(std::move(sources[c.source].rows[c.index]));
    }
    return out;
}

page list(const topology& t, const list_request& request, const keyset_builder& build, read_consistency c) {
    check_request(request);
    if (!build) throw error(std::string(codes::invalid_argument), "A list needs a keyset plan builder.");
    const auto stores = t.list_stores(c);
    std::vector<store_rows> sources;
    sources.reserve(stores.size());
    // The same keyset query for every store, built once on the caller's thread.
    const plan query = build(request.after, request.limit + 1);
    if (request.concurrent && stores.size() > 1) {
        std::vector<std::future<std::vector<row>>> others;
        for (std::size_t i = 1; i < stores.size(); ++i)
            others.push_back(
                std::async(std::launch::async, [&stores, &query, i] { return stores[i].where->read(query).all(); }));
        std::exception_ptr failure;
        std::vector<row> first;
        try {
            first = stores[0].where->read(query).all();
        } catch (...) {
            failure = std::current_exception();
        }
        sources.push_back(store_rows{stores[0].from, std::move(first)});
        for (std::size_t i = 1; i < stores.size(); ++i) {
            try {
                sources.push_back(store_rows{stores[i].from, others[i - 1].get()});  // always waited for
            } catch (...) {
                if (!failure) failure = std::current_exception();
            }
        }
        if (failure) std::rethrow_exception(failure);
    } else {
        for (std::size_t i = 0; i < stores.size(); ++i)
            sources.push_back(store_rows{stores[i].from, stores[i].where->read(query).all()});
    }
    return merge(request, std::move(sources));
}

}  // namespace strata::split
