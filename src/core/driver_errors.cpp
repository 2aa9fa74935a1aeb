#include "strata/driver.hpp"
#include "strata/error.hpp"

namespace strata::driver_errors {

void not_connected(std::string_view driver, std::string_view operation) {
    throw error(
        std::string(codes::driver_not_connected),
        std::string(driver) + " driver is not connected. Call connect(binding) before " + std::string(operation) + ".",
        {{"driver", std::string(driver)}, {"operation", std::string(operation)}});
}

void already_connected(std::string_view driver, std::string_view binding_description) {
    throw error(std::string(codes::driver_already_connected),
                std::string(driver) +
                    " driver is already connected. Call close() before connecting with a new "
                    "binding.",
                {{"driver", std::string(driver)}, {"binding", std::string(binding_description)}});
}

void closed(std::string_view driver, std::string_view operation) {
    throw error(
        std::string(codes::driver_closed),
        std::string(driver) + " driver is closed. Call connect(binding) again before " + std::string(operation) + ".",
        {{"driver", std::string(driver)}, {"operation", std::string(operation)}});
}

void wrong_state(std::string_view driver, driver_state s, std::string_view operation) {
    if (s == driver_state::closed) closed(driver, operation);
    not_connected(driver, operation);
}

void binding_invalid(std::string_view driver, std::string_view field, std::string_view reason) {
    throw error(std::string(codes::driver_binding_invalid),
                "Invalid " + std::string(driver) + " binding: " + std::string(field) + " " + std::string(reason) + ".",
                {{"driver", std::string(driver)}, {"field", std::string(field)}, {"reason", std::string(reason)}});
}

void mark_nothing_received(error& e) { e.with_detail("received", "nothing"); }

bool lost_before_results(const error& e) noexcept {
    if (e.code() != codes::driver_connection_lost) return false;
    const auto it = e.details().find("received");
    return it != e.details().end() && it->second == "nothing";
}

}  // namespace strata::driver_errors

namespace strata {

std::vector<batch_result> connection::execute_batch(const std::vector<statement>&, const execution_control&) {
    throw error(std::string(codes::driver_unsupported),
                "This connection has no atomic batch capability. Check caps().atomic_batch before calling "
                "execute_batch().");
}

namespace {

// Collects one row's parameters as values, for drivers without their own execute_many.
class value_sink final : public param_sink {
public:
    explicit value_sink(std::size_t width) : width_(width) {}
    void start() { values_.assign(width_, value{}); }
    std::vector<value> take() { return std::move(values_); }
    void null(int index) override { at(index) = value{}; }
    void integer(int index, std::int64_t v) override { at(index) = value{v}; }
    void real(int index, double v) override { at(index) = value{v}; }
    void text(int index, std::string_view v) override { at(index) = value{std::string(v)}; }
    void any(int index, const value& v) override { at(index) = v; }

private:
    value& at(int index) {
        if (index < 1 || static_cast<std::size_t>(index) > values_.size())
            throw error(std::string(codes::runtime_invalid_argument), "A parameter row wrote parameter " +
                                                                          std::to_string(index) + " of " +
                                                                          std::to_string(values_.size()) + ".");
        return values_[static_cast<std::size_t>(index) - 1];
    }
    std::size_t width_;
    std::vector<value> values_;
};

}  // namespace

many_result connection::execute_many(const statement& s, param_rows& rows, const execution_control& c) {
    many_result out;
    value_sink sink(rows.width());
    while (true) {
        sink.start();
        if (!rows.next(sink)) break;
        const plan p(s.source->text(), sink.take());
        auto source = execute(statement{s.sql, &p}, c);
        row r;
        while (source->next(r)) {
        }
        out.affected_rows += source->affected_rows();
        ++out.executions;
    }
    return out;
}

}  // namespace strata
