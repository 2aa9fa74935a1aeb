// The error a request ends with: an HTTP status, a stable snake_case code and a message
// for humans. Thrown by the engine and the routes; the router turns it into the envelope
// {"ok":false,"error":{"code","message"}}.
#pragma once

#include <stdexcept>
#include <string>

namespace relay {

class api_error : public std::runtime_error {
public:
    api_error(unsigned status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    [[nodiscard]] unsigned status() const noexcept { return status_; }
    [[nodiscard]] const std::string& code() const noexcept { return code_; }

private:
    unsigned status_;
    std::string code_;
};

[[noreturn]] inline void fail(unsigned status, std::string code, const std::string& message) {
    throw api_error(status, std::move(code), message);
}

}  // namespace relay
