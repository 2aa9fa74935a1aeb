#include "strata/driver.hpp"
#include "strata/error.hpp"

namespace strata::driver_errors {

void not_connected(std::string_view driver, std::string_view operation) {
    throw error(std::string(codes::driver_not_connected),
                std::string(driver) + " driver is not connected. Call connect(binding) before " +
                    std::string(operation) + ".",
                {{"driver", std::string(driver)}, {"operation", std::string(operation)}});
}

void already_connected(std::string_view driver, std::string_view binding_description) {
    throw error(std::string(codes::driver_already_connected),
                std::string(driver) + " driver is already connected. Call close() before connecting with a new "
                                      "binding.",
                {{"driver", std::string(driver)}, {"binding", std::string(binding_description)}});
}

void closed(std::string_view driver, std::string_view operation) {
    throw error(std::string(codes::driver_closed),
                std::string(driver) + " driver is closed. Call connect(binding) again before " +
                    std::string(operation) + ".",
                {{"driver", std::string(driver)}, {"operation", std::string(operation)}});
}

void wrong_state(std::string_view driver, driver_state s, std::string_view operation) {
    if (s == driver_state::closed) closed(driver, operation);
    not_connected(driver, operation);
}

void binding_invalid(std::string_view driver, std::string_view field, std::string_view reason) {
    throw error(std::string(codes::driver_binding_invalid),
                "Invalid " + std::string(driver) + " binding: " + std::string(field) + " " + std::string(reason) +
                    ".",
                {{"driver", std::string(driver)}, {"field", std::string(field)}, {"reason", std::string(reason)}});
}

}  // namespace strata::driver_errors

namespace strata {

std::vector<batch_result> connection::execute_batch(const std::vector<statement>&, const execution_control&) {
    throw error("DRIVER.UNSUPPORTED",
                "This connection has no atomic batch capability. Check caps().atomic_batch before calling "
                "execute_batch().");
}

}  // namespace strata
