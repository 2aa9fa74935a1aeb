#include "strata/error.hpp"

#include <utility>

namespace strata {

std::string_view to_string(error_category c) noexcept {
    switch (c) {
        case error_category::driver: return "DRIVER";
        case error_category::query: return "QUERY";
        case error_category::runtime: return "RUNTIME";
        case error_category::budget: return "BUDGET";
        case error_category::contract: return "CONTRACT";
        case error_category::atomic: return "ATOMIC";
        case error_category::split: return "SPLIT";
        case error_category::plan: return "PLAN";
        case error_category::unknown: break;
    }
    return "UNKNOWN";
}

error_category category_of(std::string_view code) noexcept {
    const auto dot = code.find('.');
    const std::string_view prefix = code.substr(0, dot);
    for (auto c : {error_category::driver, error_category::query, error_category::runtime, error_category::budget,
                   error_category::contract, error_category::atomic, error_category::split, error_category::plan}) {
        if (prefix == to_string(c)) return c;
    }
    return error_category::unknown;
}

error::error(std::string code, std::string message, error_details details, std::source_location where)
    : std::runtime_error(code),
      code_(std::move(code)),
      message_(std::move(message)),
      details_(std::move(details)),
      where_(where) {
    refresh_what();
}

const error* error::strata_cause() const noexcept {
    if (!cause_) return nullptr;
    try {
        std::rethrow_exception(cause_);
    } catch (const error& e) {
        return &e;  // the exception object lives as long as cause_ holds it
    } catch (...) {
        return nullptr;
    }
}

bool error::outcome_unknown() const noexcept {
    for (const error* e = this; e != nullptr; e = e->strata_cause()) {
        for (const char* key : {"outcome", "applied"}) {
            const auto it = e->details_.find(key);
            if (it != e->details_.end() && it->second == "unknown") return true;
        }
    }
    return false;
}

error& error::with_sql(sql_error_info info) & {
    sql_ = std::move(info);
    refresh_what();
    return *this;
}
error&& error::with_sql(sql_error_info info) && { return std::move(with_sql(std::move(info))); }
error& error::with_transient(bool t) & {
    transient_ = t;
    return *this;
}
error&& error::with_transient(bool t) && { return std::move(with_transient(t)); }
error& error::with_cause(std::exception_ptr c) & {
    cause_ = std::move(c);
    return *this;
}
error&& error::with_cause(std::exception_ptr c) && { return std::move(with_cause(std::move(c))); }
error& error::with_detail(std::string key, std::string value) & {
    details_.insert_or_assign(std::move(key), std::move(value));
    refresh_what();
    return *this;
}
error&& error::with_detail(std::string key, std::string value) && {
    return std::move(with_detail(std::move(key), std::move(value)));
}

void error::refresh_what() {
    what_ = code_ + ": " + message_;
    if (sql_ && !sql_->sqlstate.empty()) what_ += " [SQLSTATE " + sql_->sqlstate + "]";
    if (!details_.empty()) {
        what_ += " (";
        bool first = true;
        for (const auto& [k, v] : details_) {
            if (!first) what_ += ", ";
            first = false;
            what_ += k + "=" + v;
        }
        what_ += ")";
    }
    static_cast<std::runtime_error&>(*this) = std::runtime_error(what_);
}

std::string error::describe() const {
    std::string out = what();
    std::exception_ptr c = cause_;
    while (c) {
        try {
            std::rethrow_exception(c);
        } catch (const error& e) {
            out += "\n  caused by: ";
            out += e.what();
            c = e.cause();
        } catch (const std::exception& e) {
            out += "\n  caused by: ";
            out += e.what();
            c = nullptr;
        } catch (...) {
            out += "\n  caused by: unknown exception";
            c = nullptr;
        }
    }
    return out;
}

}  // namespace strata
