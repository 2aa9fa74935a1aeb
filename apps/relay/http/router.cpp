#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <strata/error.hpp>

#include "engine/api_error.hpp"
#include "engine/types.hpp"
#include "http/envelope.hpp"

namespace relay::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const auto next = path.find('/', i);
        out.emplace_back(path.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i));
        if (next == std::string_view::npos) break;
        i = next;
    }
    return out;
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params) {
    if (pattern.size() != path.size()) return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (!pattern[i].empty() && pattern[i][0] == ':') {
            if (path[i].empty()) return false;
            found[pattern[i].substr(1)] = path[i];
        } else if (pattern[i] != path[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

void router::add(std::string method, std::string pattern, handler h, route_traits traits) {
    auto segments = split_path(pattern);
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(h), traits});
}

std::vector<router::route_name> router::routes() const {
    std::vector<route_name> out;
    out.reserve(routes_.size());
    for (const auto& e : routes_) out.push_back({e.method, e.pattern});
    return out;
}

namespace {
reply unmatched_reply(const request& r, bool path_known, const std::string& allowed) {
    if (path_known) {
        reply out = error_reply(405, "method_not_allowed", r.method + " is not allowed on " + r.path + ".");
        out.headers.emplace_back("Allow", allowed);  // RFC 9110: a 405 lists what is
        return out;
    }
    return error_reply(404, "not_found", "No route for " + r.method + " " + r.path + ".");
}
}  // namespace

router::located router::locate(const request& r) const {
    const auto path = split_path(r.path);
    located out;
    for (const auto& e : routes_) {
        std::map<std::string, std::string> params;
        if (!match(e.segments, path, params)) continue;
        out.path_known = true;
        if (e.method != r.method) {
            if (out.allowed.find(e.method) == std::string::npos)
                out.allowed += (out.allowed.empty() ? "" : ", ") + e.method;
            continue;
        }
        out.route = &e;
        out.params = std::move(params);
        return out;
    }
    return out;
}

router::match_result router::find(const request& r) const {
    const located l = locate(r);
    if (l.route) return {&l.route->traits, std::nullopt};
    return {nullptr, unmatched_reply(r, l.path_known, l.allowed)};
}

namespace {
// The request's deadline (--request-timeout) or the pool's wait ended it. (An unknown
// COMMIT is answered as outcome_unknown before this is asked.)
bool ran_out_of_time(const strata::error& e) {
    for (const strata::error* c = &e; c != nullptr; c = c->strata_cause()) {
        if (c->code() == "RUNTIME.ABORTED" || c->code() == "RUNTIME.TRANSACTION_TIMEOUT" ||
            c->code() == "DRIVER.POOL_TIMEOUT")
            return true;
    }
    return false;
}
}  // namespace

reply reply_for_current_exception(const std::string& method, const std::string& route) {
    try {
        throw;
    } catch (const api_error& err) {
        reply out = error_reply(err.status(), err.code(), err.what());
        if (err.status() == 503) out.headers.emplace_back("Retry-After", "1");
        return out;
    } catch (const json::exception& err) {
        // Only reachable through input of an unexpected shape.
        return error_reply(400, "invalid_request", "The request has a field of the wrong type.");
    } catch (const strata::error& err) {
        spdlog::error("{} {}: database error {}", method, route, err.code());
        spdlog::debug("{}", err.describe());
        if (err.outcome_unknown()) {  // a backstop: writes resolve this themselves (engine/unit_outcome.hpp)
            reply unknown = error_reply(503, "outcome_unknown",
                                        "The write may or may not have been stored. Retry with the same "
                                        "Idempotency-Key: it is applied at most once.");
            unknown.headers.emplace_back("Retry-After", "1");
            return unknown;
        }
        if (err.sql() && err.sql()->sqlstate == "53100") {  // disk full, or SQLite at its max_page_count
            return error_reply(507, "storage_full",
                               "The database is full; nothing of this request was stored. Reads still work.");
        }
        if (err.transient() || ran_out_of_time(err)) {
            reply busy = error_reply(503, "unavailable",
                                     ran_out_of_time(err) ? "The database did not answer within the request's time "
                                                            "limit (--request-timeout). Retry shortly."
                                                          : "The database is busy; retry shortly.");
            busy.headers.emplace_back("Retry-After", "1");
            return busy;
        }
        return error_reply(500, "internal_error", "The server could not complete the request.");
    } catch (const std::exception& err) {
        spdlog::error("{} {}: {}", method, route, err.what());
        return error_reply(500, "internal_error", "The server could not complete the request.");
    }
}

reply router::dispatch(request& r, std::string& route) const {
    route = "unmatched";
    located l = locate(r);
    if (!l.route) return unmatched_reply(r, l.path_known, l.allowed);
    route = l.route->pattern;
    r.params = std::move(l.params);
    try {
        return l.route->run(r);
    } catch (const std::exception&) {
        return reply_for_current_exception(r.method, l.route->pattern);
    }
}

}  // namespace relay::http
