// A loopback TCP proxy in front of a PostgreSQL server, for tests that need a connection
// to break at an exact point of the protocol: after the server received COMMIT but
// before its reply reached the client (robust commit, docs/decisions/0024).
//
// It forwards the server's bytes as they come and reads the client's stream message by
// message (the startup packets, then type byte + length). When a message matches an
// armed drop, the client's connection is closed and the server's gets an end of input,
// either after the message was forwarded (the server runs it, then sees the client
// gone) or instead of it (the server never sees it). Its replies are read and thrown
// away. It can also hang up on every new connection (a server that cannot be reached).
// The URL must turn TLS and GSS encryption off (url_through does): the proxy reads the
// protocol in clear.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::test {

class fault_proxy {
public:
    enum class drop {
        after_forwarding,       // the server runs the message, then sees the client gone
        instead_of_forwarding,  // the server never sees it, then sees the client gone
        // The server never sees it and its side stays open (a half-open connection: the
        // server waits for the next message until its backend is ended or the proxy stops).
        swallow,
    };
    // A client message: its type byte ('Q' simple query, 'S' sync, ...) and, for 'Q',
    // the exact query text ("" matches any).
    struct message {
        char type = 'Q';
        std::string query;
    };

    // Listens on 127.0.0.1 (a free port) and forwards to `url`'s host and port.
    explicit fault_proxy(const std::string& url);
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;
    ~fault_proxy();

    // `url` pointing at the proxy, with sslmode=disable and gssencmode=disable.
    [[nodiscard]] std::string url_through(const std::string& url) const;
    [[nodiscard]] int port() const noexcept { return port_; }

    // The next client message matching `m` (on any connection) breaks its connection.
    void arm(message m, drop how);
    // New connections are accepted and closed at once (true), or forwarded again.
    void hang_up_new_connections(bool on) noexcept { refuse_.store(on); }
    // How many armed drops happened.
    [[nodiscard]] int drops() const noexcept { return drops_.load(); }

private:
    struct armed {
        message m;
        drop how;
    };
    void accept_loop();
    void serve(int client, int server);
    // Whether an armed drop matches the message (`body` without the length); consumes it.
    bool take_match(char type, const std::string& body, drop& how);

    std::string host_;
    int target_port_ = 0;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> refuse_{false};
    std::atomic<int> drops_{0};
    std::mutex mutex_;
    std::vector<armed> armed_;
    std::vector<std::thread> sessions_;  // each ends within a poll interval of stopping_
    std::thread acceptor_;
};

}  // namespace strata::test
