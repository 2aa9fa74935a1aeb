// Prometheus metrics: HTTP requests and latencies by route pattern, the network layer's
// contained failures and enforced limits, plus (at render time) the database's atomic-write modes and statement counters from strata's
// telemetry, the PostgreSQL pool, and the WebSocket hub.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "http/server_counters.hpp"

namespace relay {
class stores;
class hub;
class event_bus;
}  // namespace relay

namespace relay::http {

class metrics {
public:
    void observe(const std::string& method, const std::string& route, unsigned status, double seconds);
    [[nodiscard]] std::string render(const stores& dbs, const hub& h, const event_bus& bus) const;
    // The network layer's counters (http/server.hpp writes them).
    [[nodiscard]] server_counters& network() noexcept { return network_; }

    static constexpr std::array<double, 12> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

private:
    struct histogram {
        std::array<std::uint64_t, buckets.size()> counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, histogram> latency_;
    server_counters network_;
};

}  // namespace relay::http
