// A real HTTP/1.1 client for the tests (Boost.Beast, one connection per request).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace relay::test {

using json = nlohmann::ordered_json;

struct response {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    // The parsed body (null when it is not JSON).
    [[nodiscard]] json body_json() const;
    // body.data / body.error.code of the envelope.
    [[nodiscard]] json data() const;
    [[nodiscard]] std::string error_code() const;
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_client {
public:
    explicit http_client(std::uint16_t port) : port_(port) {}

    [[nodiscard]] response request(const std::string& method, const std::string& target, const std::string& body,
                                   const header_list& headers = {}) const;
    [[nodiscard]] response get(const std::string& target, const std::string& token = "") const;
    [[nodiscard]] response post(const std::string& target, const json& body, const std::string& token = "",
                                header_list headers = {}) const;
    // A body sent as is (raw text, bytes, malformed JSON).
    [[nodiscard]] response post_raw(const std::string& target, const std::string& body, const std::string& token = "",
                                    header_list headers = {}) const;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
    std::uint16_t port_;
};

// "Bearer <token>" header list.
[[nodiscard]] header_list bearer(const std::string& token);

}  // namespace relay::test
