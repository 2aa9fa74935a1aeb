// Timing loops for relay_bench: N threads run an operation until a deadline; each call's
// latency is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relay::bench {

struct load_result {
    std::uint64_t operations = 0;
    std::uint64_t failures = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;  // sorted

    [[nodiscard]] double per_second() const { return seconds > 0 ? static_cast<double>(operations) / seconds : 0; }
    [[nodiscard]] double percentile(double p) const;
};

// Runs op(thread_index) on `threads` threads for `duration`; op returns false on failure.
[[nodiscard]] load_result run_load(unsigned threads, std::chrono::milliseconds duration,
                                   const std::function<std::function<bool()>(unsigned)>& make_op);

// A keep-alive HTTP/1.1 client connection (Beast), one per load thread.
class keep_alive_client {
public:
    explicit keep_alive_client(std::uint16_t port);
    ~keep_alive_client();
    keep_alive_client(const keep_alive_client&) = delete;
    keep_alive_client& operator=(const keep_alive_client&) = delete;
    // POST with a JSON body and a bearer token; returns the status.
    unsigned post(const std::string& target, const std::string& body, const std::string& token);

private:
    struct state;
    std::unique_ptr<state> s_;
};

}  // namespace relay::bench
