#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "http/envelope.hpp"
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

bool is_upload(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/v1/files";
}

std::optional<std::string> bearer(std::string_view header) {
    constexpr std::string_view prefix = "Bearer ";
    if (header.substr(0, prefix.size()) != prefix) return std::nullopt;
    return std::string(header.substr(prefix.size()));
}

}  // namespace

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, server& srv)
        : stream_(std::move(socket)), executor_(stream_.get_executor()), srv_(srv) {
        ++srv_.sessions_open_;
    }
    ~http_session() { --srv_.sessions_open_; }

    void run() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
    }

    void close_if_idle() {
        // Through the executor kept aside: after an upgrade the stream is moved out.
        net::post(executor_, [self = shared_from_this()] {
            if (!self->busy_ && !self->upgraded_) self->close_now();
        });
    }

private:
    void read_header() {
        busy_ = false;
        if (srv_.stopping_) return close_now();
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(std::max(srv_.options_.max_body_bytes, srv_.options_.max_file_bytes));
        stream_.expires_after(60s);
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        busy_ = true;
        if (ec == bhttp::error::body_limit) return reject_too_large();
        if (ec) return on_read_error(ec);
        const auto& req = parser_->get();
        const std::size_t limit = is_upload(req.target()) ? srv_.options_.max_file_bytes : srv_.options_.max_body_bytes;
        if (auto n = parser_->content_length(); n && *n > limit) return reject_too_large();
        parser_->body_limit(limit);
        if (parser_->is_done()) return on_request();
        if (req[bhttp::field::expect] == "100-continue") {
            auto res = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
            stream_.expires_after(30s);
            bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code wec, std::size_t) {
                if (wec) return self->close_now();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        stream_.expires_after(60s);
        bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec == bhttp::error::body_limit) return self->reject_too_large();
            if (ec) return self->on_read_error(ec);
            self->on_request();
        });
    }

    void on_read_error(beast::error_code ec) {
        // A malformed request gets a 400; a closed or timed-out connection just closes.
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
            ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
            return respond(error_reply(400, "bad_request", "The request is not valid HTTP/1.1."), 11, true, false);
        close_now();
    }

    void on_request() {
        auto req = parser_->release();
        if (websocket::is_upgrade(req)) return upgrade(std::move(req));
        request r;
        r.method = std::string(req.method_string());
        if (!split_target(req.target(), r.path, r.query))
            return respond(error_reply(400, "bad_request", "The request target is not valid."), req.version(), true,
                           false);
        r.body = std::move(req.body());
        r.authorization = std::string(req[bhttp::field::authorization]);
        if (auto it = req.find("Idempotency-Key"); it != req.end()) r.idempotency_key = std::string(it->value());
        const bool keep_alive = req.keep_alive();
        const unsigned version = req.version();
        ++srv_.in_flight_;
        stream_.expires_never();
        net::post(srv_.workers_, [self = shared_from_this(), r = std::move(r), keep_alive, version]() mutable {
            reply rep = self->srv_.handlers_.handle(r);
            net::post(self->stream_.get_executor(), [self, rep = std::move(rep), keep_alive, version]() mutable {
                self->respond(std::move(rep), version, !keep_alive, false);
                --self->srv_.in_flight_;
            });
        });
    }

    void upgrade(bhttp::request<bhttp::string_body> req) {
        std::string path;
        std::map<std::string, std::string> query;
        if (!split_target(req.target(), path, query) || path != "/v1/ws")
            return respond(error_reply(404, "not_found", "WebSocket connections go to /v1/ws."), req.version(), true,
                           false);
        std::string token =
            query.count("token") ? query["token"] : bearer(req[bhttp::field::authorization]).value_or("");
        ++srv_.in_flight_;
        stream_.expires_never();
        auto upgrade_request = std::make_shared<bhttp::request<bhttp::string_body>>(std::move(req));
        net::post(srv_.workers_, [self = shared_from_this(), token = std::move(token), upgrade_request] {
            std::optional<principal> who;
            try {
                who = self->srv_.handlers_.authenticate(token);
            } catch (const std::exception& e) {
                spdlog::error("ws: authentication failed: {}", e.what());
            }
            net::post(self->stream_.get_executor(), [self, who = std::move(who), upgrade_request]() mutable {
                --self->srv_.in_flight_;
                if (!who) {
                    return self->respond(
                        error_reply(401, "unauthorized", "A valid agent token is required: ?token=at_live_..."),
                        upgrade_request->version(), true, false);
                }
                self->upgraded_ = true;
                std::make_shared<ws_session>(std::move(self->stream_), self->srv_.hub_, std::move(*who))
                    ->run(std::move(*upgrade_request));
            });
        });
    }

    void reject_too_large() {
        respond(error_reply(413, "payload_too_large", "The request body is larger than this route accepts."), 11, true,
                true);
    }

    void respond(reply rep, unsigned version, bool close, bool drain) {
        auto res =
            std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(rep.status), version);
        res->set(bhttp::field::server, "relay");
        res->set(bhttp::field::content_type, rep.content_type);
        for (auto& [name, value] : rep.headers) res->set(name, value);
        res->body() = std::move(rep.body);
        res->keep_alive(!close && !srv_.stopping_);
        res->prepare_payload();
        stream_.expires_after(30s);
        bhttp::async_write(stream_, *res, [self = shared_from_this(), res, drain](beast::error_code ec, std::size_t) {
            if (ec) return self->close_now();
            if (drain) return self->drain();
            if (!res->keep_alive()) return self->close_now();
            self->read_header();
        });
    }

    // After an early error response: stop sending, read and drop what the client is still
    // uploading (bounded), then close — so the client gets to read the response.
    void drain() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(10s);
        drain_buffer_.resize(64 * 1024);
        read_more();
    }

    void read_more() {
        stream_.async_read_some(net::buffer(drain_buffer_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->drained_ += n;
                                    if (ec || self->drained_ > 256 * 1024 * 1024) return self->close_now();
                                    self->read_more();
                                });
    }

    void close_now() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    net::any_io_executor executor_;
    server& srv_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bool busy_ = false;
    bool upgraded_ = false;
    std::vector<char> drain_buffer_;
    std::size_t drained_ = 0;
};

server::server(server_options options, server_handlers handlers, hub& h)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      hub_(h),
      ioc_(std::make_unique<net::io_context>()),
      guard_(net::make_work_guard(*ioc_)),
      acceptor_(std::make_unique<tcp::acceptor>(net::make_strand(*ioc_))),
      workers_(std::max(1u, options_.worker_threads)) {}

server::~server() {
    stop();
}

void server::start() {
    const tcp::endpoint endpoint{net::ip::make_address(options_.host), options_.port};
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(net::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen(net::socket_base::max_listen_connections);
    port_ = acceptor_->local_endpoint().port();
    accept();
    for (unsigned i = 0; i < std::max(1u, options_.io_threads); ++i) threads_.emplace_back([this] { ioc_->run(); });
}

void server::accept() {
    acceptor_->async_accept(net::make_strand(*ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || stopping_ || !acceptor_->is_open()) return;
        if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);  // responses go out at once
            auto s = std::make_shared<http_session>(std::move(socket), *this);
            track(s);
            s->run();
        }
        accept();
    });
}

void server::track(const std::shared_ptr<http_session>& s) {
    std::lock_guard lock(sessions_mutex_);
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
    sessions_.push_back(s);
}

void server::stop() {
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
    });
    hub_.close_all();
    auto close_idle = [this] {
        std::lock_guard lock(sessions_mutex_);
        for (auto& w : sessions_)
            if (auto s = w.lock()) s->close_if_idle();
    };
    close_idle();
    // In-flight requests finish and write their responses (then their connections close).
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while ((in_flight_ > 0 || sessions_open_ > 0) && std::chrono::steady_clock::now() < deadline) {
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
    acceptor_.reset();
    ioc_.reset();
}

}  // namespace relay::http
