#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "http/beast.hpp"
#include "http/connection_slot.hpp"
#include "http/envelope.hpp"
#include "http/body.hpp"
#include "http/request_parsing.hpp"
#include "ws/hub.hpp"
#include "ws/ws_session.hpp"

namespace relay::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

std::optional<std::string> bearer(std::string_view header) {
    constexpr std::string_view prefix = "Bearer ";
    if (header.substr(0, prefix.size()) != prefix) return std::nullopt;
    return std::string(header.substr(prefix.size()));
}

// What an early answer (413, 401...) reads of a body the client is still sending, so
// that the client gets to read the answer before the connection closes.
constexpr std::size_t max_drain_bytes = 4 * 1024 * 1024;
constexpr auto drain_timeout = 5s;

}  // namespace

class http_session;

class server::state {
public:
    state(server_options options, server_handlers handlers, hub& h, server_counters& counters)
        : options_(std::move(options)),
          handlers_(std::move(handlers)),
          hub_(h),
          counters_(counters),
          ioc_(std::make_unique<net::io_context>()),
          guard_(net::make_work_guard(*ioc_)),
          acceptor_(std::make_unique<tcp::acceptor>(net::make_strand(*ioc_))),
          accept_timer_(std::make_unique<net::steady_timer>(acceptor_->get_executor())),
          workers_(std::max(1u, options_.worker_threads)) {}

    void start();
    void stop();
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
    friend class http_session;
    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void refuse_connection(tcp::socket socket);
    void track(const std::shared_ptr<http_session>& s);
    void contain_failure(const char* where, const char* what) noexcept;

    server_options options_;
    server_handlers handlers_;
    hub& hub_;
    server_counters& counters_;
    // Destroyed explicitly at the end of stop(), while the rest of the server is alive:
    // destroying the io_context destroys the sessions its pending handlers hold.
    std::unique_ptr<net::io_context> ioc_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;
    std::unique_ptr<tcp::acceptor> acceptor_;
    std::unique_ptr<net::steady_timer> accept_timer_;  // released with the io_context
    std::chrono::milliseconds accept_backoff_{0};
    net::thread_pool workers_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> sessions_open_{0};
    std::mutex sessions_mutex_;
    std::vector<std::weak_ptr<http_session>> sessions_;
    bool stopped_ = false;
};

void server::state::contain_failure(const char* where, const char* what) noexcept {
    ++counters_.handler_failures;
    try {
        spdlog::error("{}: a handler failed ({}); closing its connection", where, what);
    } catch (...) {
    }
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, server::state& srv)
        : stream_(std::move(socket)),
          executor_(stream_.get_executor()),
          srv_(srv),
          slot_(srv.counters_.connections_open) {
        ++srv_.sessions_open_;
    }
    ~http_session() { --srv_.sessions_open_; }

    void run() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->guarded([&] { self->read_header(); });
        });
    }

    void close_if_idle() {
        // Through the executor kept aside: after an upgrade the stream is moved out.
        net::post(executor_, [self = shared_from_this()] {
            if (!self->busy_ && !self->upgraded_) self->close_now();
        });
    }

private:
    // Every completion handler runs inside this: whatever it throws is answered with a
    // 500 on this connection (or closes it when a response is already being written),
    // counted, and never reaches the io thread.
    template <class F>
    void guarded(F&& f) noexcept {
        try {
            f();
            return;
        } catch (const std::exception& e) {
            srv_.contain_failure("http", e.what());
        } catch (...) {
            srv_.contain_failure("http", "unknown exception");
        }
        if (!writing_ && !upgraded_) {
            try {
                return respond(error_reply(500, "internal_error", "The server could not complete the request."), 11,
                               true, false);
            } catch (...) {
            }
        }
        close_now();
    }

    void read_header() {
        busy_ = false;
        pending_.reset();
        if (srv_.stopping_) return close_now();
        start_request(parser_, srv_.options_.max_header_bytes);
        stream_.expires_after(srv_.options_.header_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     self->guarded([&] { self->on_header(ec); });
                                 });
    }

    void on_header(beast::error_code ec) {
        busy_ = true;
        if (ec) return on_read_error(ec);
        const auto& head = parser_->get();
        if (websocket::is_upgrade(head)) {
            if (!parser_->is_done())
                return respond(error_reply(400, "bad_request", "An upgrade request has no body."), head.version(), true,
                               false);
            return upgrade(parser_->release());
        }
        auto made = request_from_header(*parser_);
        if (auto* refused = std::get_if<reply>(&made))
            return respond(std::move(*refused), head.version(), true, !parser_->is_done());
        pending_.emplace(std::move(std::get<request>(made)));
        if (parser_->is_done()) return on_request();
        // A body follows: the header decides first whether it is read at all.
        if (!srv_.handlers_.admit) return on_admitted(admission{std::nullopt, srv_.options_.max_body_bytes});
        stream_.expires_never();
        ++srv_.counters_.handlers_running;
        net::post(srv_.workers_, [self = shared_from_this()] {
            admission a;
            try {
                a = self->srv_.handlers_.admit(*self->pending_);
            } catch (const std::exception& e) {
                self->srv_.contain_failure("http admit", e.what());
                a.refuse = error_reply(500, "internal_error", "The server could not complete the request.");
            }
            net::post(self->executor_, [self, a = std::move(a)]() mutable {
                --self->srv_.counters_.handlers_running;
                self->guarded([&] { self->on_admitted(std::move(a)); });
            });
        });
    }

    void on_admitted(admission a) {
        const unsigned version = parser_->get().version();
        if (a.refuse) ++srv_.counters_.refused_before_body;
        if (auto early = admit_body(*parser_, std::move(a))) return respond(std::move(*early), version, true, true);
        if (parser_->get()[bhttp::field::expect] == "100-continue") {
            auto res = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version);
            stream_.expires_after(srv_.options_.body_timeout);
            writing_ = true;
            bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                self->guarded([&] {
                    self->writing_ = false;
                    if (ec) return self->close_now();
                    self->read_body();
                });
            });
            return;
        }
        read_body();
    }

    void read_body() {
        stream_.expires_after(srv_.options_.body_timeout);
        bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->guarded([&] {
                if (ec) return self->on_read_error(ec);
                self->on_request();
            });
        });
    }

    void on_read_error(beast::error_code ec) {
        spdlog::debug("http: read failed: {}", ec.message());
        auto answer = read_error_reply(ec);
        if (!answer) return close_now();
        if (ec == bhttp::error::header_limit) ++srv_.counters_.headers_too_large;
        // Over a limit the client may still be sending: the answer is followed by a drain.
        const bool over_limit = ec == bhttp::error::header_limit || ec == bhttp::error::body_limit;
        respond(std::move(*answer), 11, true, over_limit);
    }

    void on_request() {
        auto req = parser_->release();
        request r = std::move(*pending_);
        pending_.reset();
        r.body = std::move(req.body());
        const bool keep_alive = req.keep_alive();
        const unsigned version = req.version();
        ++srv_.counters_.handlers_running;
        stream_.expires_never();
        net::post(srv_.workers_, [self = shared_from_this(), r = std::move(r), keep_alive, version]() mutable {
            reply rep;
            try {
                rep = self->srv_.handlers_.handle(r);
            } catch (const std::exception& e) {
                self->srv_.contain_failure("http handler", e.what());
                rep = error_reply(500, "internal_error", "The server could not complete the request.");
            }
            net::post(self->executor_, [self, rep = std::move(rep), keep_alive, version]() mutable {
                --self->srv_.counters_.handlers_running;
                self->guarded([&] { self->respond(std::move(rep), version, !keep_alive, false); });
            });
        });
    }

    void upgrade(bhttp::request<bhttp::string_body> req) {
        std::string path;
        std::map<std::string, std::string> query;
        if (const auto status = parse_target(req.target(), path, query); status != target_status::ok)
            return respond(target_error_reply(status), req.version(), true, false);
        if (path != "/v1/ws")
            return respond(error_reply(404, "not_found", "WebSocket connections go to /v1/ws."), req.version(), true,
                           false);
        std::string token =
            query.count("token") ? query["token"] : bearer(req[bhttp::field::authorization]).value_or("");
        std::optional<std::int64_t> after_seq;
        if (query.count("after_seq")) {
            after_seq = parse_seq(query["after_seq"]);
            if (!after_seq)
                return respond(error_reply(400, "invalid_request", "after_seq must be a delivery seq: an integer from 0."),
                               req.version(), true, false);
        }
        ++srv_.counters_.handlers_running;
        stream_.expires_never();
        auto upgrade_request = std::make_shared<bhttp::request<bhttp::string_body>>(std::move(req));
        net::post(srv_.workers_, [self = shared_from_this(), token = std::move(token), upgrade_request, after_seq] {
            std::optional<principal> who;
            try {
                who = self->srv_.handlers_.authenticate(token);
            } catch (const std::exception& e) {
                spdlog::error("ws: authentication failed: {}", e.what());
            }
            net::post(self->executor_, [self, who = std::move(who), upgrade_request, after_seq]() mutable {
                --self->srv_.counters_.handlers_running;
                self->guarded([&] { self->on_upgrade_authenticated(std::move(who), *upgrade_request, after_seq); });
            });
        });
    }

    void on_upgrade_authenticated(std::optional<principal> who, bhttp::request<bhttp::string_body>& req,
                                  std::optional<std::int64_t> after_seq) {
        if (!who) {
            return respond(error_reply(401, "unauthorized", "A valid agent token is required: ?token=at_live_..."),
                           req.version(), true, false);
        }
        const ws_limits limits{srv_.options_.ws_max_message_bytes, srv_.options_.ws_max_queue_bytes,
                               srv_.options_.ws_max_per_agent};
        upgraded_ = true;
        std::make_shared<ws_session>(std::move(stream_), std::move(slot_), srv_.hub_, std::move(*who), limits,
                                     srv_.counters_, srv_.workers_, after_seq)
            ->run(std::move(req));
    }

    void respond(reply rep, unsigned version, bool close, bool drain) {
        auto res = std::make_shared<response>(response_for(std::move(rep), version, !close && !srv_.stopping_));
        stream_.expires_after(30s);
        writing_ = true;
        bhttp::async_write(stream_, *res, [self = shared_from_this(), res, drain](beast::error_code ec, std::size_t) {
            self->guarded([&] {
                self->writing_ = false;
                if (ec) return self->close_now();
                if (drain) return self->drain();
                if (!res->keep_alive()) return self->close_now();
                self->read_header();
            });
        });
    }

    // After an early answer: stop sending, read and drop what the client is still
    // uploading (bounded in bytes and time), then close — so the client gets to read it.
    void drain() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(drain_timeout);
        drain_buffer_.resize(64 * 1024);
        read_more();
    }

    void read_more() {
        stream_.async_read_some(net::buffer(drain_buffer_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->drained_ += n;
                                    if (ec || self->drained_ > max_drain_bytes) return self->close_now();
                                    self->guarded([&] { self->read_more(); });
                                });
    }

    void close_now() noexcept {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    net::any_io_executor executor_;
    server::state& srv_;
    connection_slot slot_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<request> pending_;  // the request being read, before its body
    bool busy_ = false;
    bool upgraded_ = false;
    bool writing_ = false;
    std::vector<char> drain_buffer_;
    std::size_t drained_ = 0;
};

namespace {
// An address as given, else the first address the name resolves to ("localhost").
tcp::endpoint listen_endpoint(net::io_context& ioc, const std::string& host, std::uint16_t port) {
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) return {address, port};
    tcp::resolver resolver(ioc);
    const auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || found.empty()) throw std::runtime_error("--listen: cannot resolve the host name '" + host + "'");
    return found.begin()->endpoint();
}
}  // namespace

void server::state::start() {
    const tcp::endpoint endpoint = listen_endpoint(*ioc_, options_.host, options_.port);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(net::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(net::socket_base::max_listen_connections);
    port_ = acceptor_->local_endpoint().port();
    accept();
    for (unsigned i = 0; i < std::max(1u, options_.io_threads); ++i) {
        threads_.emplace_back([this] {
            // The sessions contain their handlers' failures; this is the last line, so an
            // io thread never dies and never takes the process with it.
            for (;;) {
                try {
                    ioc_->run();
                    return;
                } catch (const std::exception& e) {
                    contain_failure("io thread", e.what());
                } catch (...) {
                    contain_failure("io thread", "unknown exception");
                }
            }
        });
    }
}

void server::state::accept() {
    acceptor_->async_accept(net::make_strand(*ioc_), [this](beast::error_code ec, tcp::socket socket) {
        try {
            on_accept(ec, std::move(socket));
        } catch (const std::exception& e) {
            contain_failure("accept", e.what());
            accept();
        }
    });
}

void server::state::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopping_ || !acceptor_->is_open()) return;
    if (ec) {
        // Out of descriptors (EMFILE/ENFILE), or the like: retrying at once would spin.
        ++counters_.accept_errors;
        accept_backoff_ = std::clamp(accept_backoff_ * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        spdlog::warn("accept failed: {}; retrying in {} ms", ec.message(), accept_backoff_.count());
        accept_timer_->expires_after(accept_backoff_);
        accept_timer_->async_wait([this](beast::error_code timer_ec) {
            if (!timer_ec && !stopping_) accept();
        });
        return;
    }
    accept_backoff_ = std::chrono::milliseconds(0);
    if (static_cast<std::size_t>(counters_.connections_open.load()) >= options_.max_connections) {
        refuse_connection(std::move(socket));
    } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // responses go out at once
        auto s = std::make_shared<http_session>(std::move(socket), *this);
        track(s);
        s->run();
    }
    accept();
}

// Over the connection cap: a 503 that tells the client when to come back, written
// without reading the request, then the connection closes.
void server::state::refuse_connection(tcp::socket socket) {
    ++counters_.connections_refused;
    static const std::string answer = [] {
        const reply rep = error_reply(503, "too_many_connections", "The server is at its connection limit; retry.");
        return "HTTP/1.1 503 Service Unavailable\r\nServer: relay\r\nContent-Type: application/json\r\n"
               "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
               std::to_string(rep.body.size()) + "\r\n\r\n" + rep.body;
    }();
    // The request is never read, but what the client sent is read and dropped for a
    // moment after the answer: closing with unread bytes would reset the connection and
    // could destroy the 503 before the client reads it.
    struct refusal {
        beast::tcp_stream stream;
        std::array<char, 4096> sink{};
    };
    auto r = std::make_shared<refusal>(refusal{beast::tcp_stream(std::move(socket))});
    r->stream.expires_after(2s);
    net::async_write(r->stream, net::buffer(answer), [r](beast::error_code ec, std::size_t) {
        beast::error_code ignored;
        if (ec) return r->stream.socket().close(ignored);
        r->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        r->stream.async_read_some(net::buffer(r->sink), [r](beast::error_code, std::size_t) {
            beast::error_code ignored_too;
            r->stream.socket().close(ignored_too);
        });
    });
}

void server::state::track(const std::shared_ptr<http_session>& s) {
    std::lock_guard lock(sessions_mutex_);
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    sessions_.push_back(s);
}

void server::state::stop() {
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    if (threads_.empty()) {  // never started
        workers_.join();
        return;
    }
    net::post(acceptor_->get_executor(), [this] {
        beast::error_code ignored;
        acceptor_->close(ignored);
        try {
            accept_timer_->cancel();
        } catch (const std::exception&) {  // the timer then fires and finds stopping_ set
        }
    });
    hub_.close_all();
    auto close_idle = [this] {
        std::lock_guard lock(sessions_mutex_);
        for (auto& w : sessions_)
            if (auto s = w.lock()) s->close_if_idle();
    };
    close_idle();
    // In-flight requests finish and write their responses (then their connections close).
    const auto deadline = std::chrono::steady_clock::now() + options_.stop_timeout;
    while ((counters_.handlers_running > 0 || sessions_open_ > 0) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
        close_idle();
    }
    workers_.join();
    guard_.reset();
    const auto ws_deadline = std::chrono::steady_clock::now() + 1s;
    while (hub_.connections() > 0 && std::chrono::steady_clock::now() < ws_deadline) std::this_thread::sleep_for(10ms);
    ioc_->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    accept_timer_.reset();
    acceptor_.reset();
    ioc_.reset();
}

server::server(server_options options, server_handlers handlers, hub& h, server_counters& counters)
    : state_(std::make_unique<state>(std::move(options), std::move(handlers), h, counters)) {}

server::~server() {
    stop();
}

void server::start() {
    state_->start();
}

std::uint16_t server::port() const noexcept {
    return state_->port();
}

void server::stop() {
    state_->stop();
}

}  // namespace relay::http
