#include "load.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "http/beast.hpp"

namespace relay::bench {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

double load_result::percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    const auto i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies_ms.size()))) - 1;
    return latencies_ms[std::min(i, latencies_ms.size() - 1)];
}

load_result run_load(unsigned threads, std::chrono::milliseconds duration,
                     const std::function<std::function<bool()>(unsigned)>& make_op) {
    std::vector<std::function<bool()>> ops;
    for (unsigned i = 0; i < threads; ++i) ops.push_back(make_op(i));
    std::atomic<bool> go{false};
    std::mutex merge;
    load_result out;
    std::vector<std::thread> pool;
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + duration;
    for (unsigned i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            std::vector<double> mine;
            std::uint64_t failed = 0;
            while (std::chrono::steady_clock::now() < deadline) {
                const auto t0 = std::chrono::steady_clock::now();
                const bool ok = ops[i]();
                const auto t1 = std::chrono::steady_clock::now();
                if (ok)
                    mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
                else
                    ++failed;
            }
            std::lock_guard lock(merge);
            out.operations += mine.size();
            out.failures += failed;
            out.latencies_ms.insert(out.latencies_ms.end(), mine.begin(), mine.end());
        });
    }
    go = true;
    for (auto& t : pool) t.join();
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::sort(out.latencies_ms.begin(), out.latencies_ms.end());
    return out;
}

struct keep_alive_client::state {
    net::io_context ioc;
    tcp::socket socket{ioc};
    beast::flat_buffer buffer;
};

keep_alive_client::keep_alive_client(std::uint16_t port) : s_(std::make_unique<state>()) {
    s_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    s_->socket.set_option(tcp::no_delay(true));
}

keep_alive_client::~keep_alive_client() {
    beast::error_code ignored;
    s_->socket.shutdown(tcp::socket::shutdown_both, ignored);
}

unsigned keep_alive_client::post(const std::string& target, const std::string& body, const std::string& token) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + token);
    req.set(bhttp::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(s_->socket, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s_->socket, s_->buffer, res);
    return res.result_int();
}

}  // namespace relay::bench
