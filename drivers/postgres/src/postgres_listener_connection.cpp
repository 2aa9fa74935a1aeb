#include "postgres_listener_connection.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "postgres_errors.hpp"

namespace strata::postgres::detail {
namespace {

using steady = std::chrono::steady_clock;

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '.')) s.pop_back();
    return s;
}

}  // namespace

wakeup::wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}
wakeup::~wakeup() {
    ::close(fd_);
}
void wakeup::signal() noexcept {
    const std::uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
}
void wakeup::clear() const noexcept {
    std::uint64_t n = 0;
    (void)!::read(fd_, &n, sizeof n);
}

wait_result wait_for(int socket, short events, const wakeup& wake, std::optional<steady::time_point> until) {
    for (;;) {
        pollfd fds[2] = {{wake.fd(), POLLIN, 0}, {socket, events, 0}};
        int timeout = -1;
        if (until) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - steady::now()).count();
            timeout = left > 0 ? static_cast<int>(std::min<long long>(left, 60000)) : 0;
        }
        const int n = ::poll(fds, socket >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0 && (fds[0].revents & POLLIN) != 0) {
            wake.clear();
            return wait_result::woken;
        }
        // Errors and hang-ups count as ready: libpq's next read reports them.
        if (n > 0 && socket >= 0 && fds[1].revents != 0) return wait_result::ready;
        if (until && steady::now() >= *until) return wait_result::timed_out;
    }
}

std::unique_ptr<listener_connection> listener_connection::open(const listener_target& t, interrupt i) {
    const std::string timeout = std::to_string(t.connect_timeout.count());
    // Defaults first: anything the URL says overrides them (it is the expanded dbname).
    // Keepalives find a server that vanished without a word (no FIN, no RST) in about a
    // minute instead of the system's two hours: a listener only ever reads. Then, as the
    // pool does, the client encoding payloads are decoded in (the URL was checked not to
    // contradict it): later keys win, and PGCLIENTENCODING or the server's default do not.
    const char* keys[] = {"connect_timeout",
                          "fallback_application_name",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "dbname",
                          "client_encoding",
                          nullptr};
    const char* values[] = {timeout.c_str(), "strata-listener", "30", "10", "3", t.conninfo.c_str(), "UTF8",
                            nullptr};
    PGconn* conn = PQconnectStartParams(keys, values, 1);
    if (conn == nullptr) throw connect_failed("out of memory", t.description, t.password);
    std::unique_ptr<listener_connection> c(new listener_connection(conn, t.password));
    // libpq checks connect_timeout only in its blocking connect: kept here. 0 is no limit.
    std::optional<steady::time_point> until;
    if (t.connect_timeout.count() > 0) until = steady::now() + t.connect_timeout;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    if (PQstatus(conn) == CONNECTION_BAD) st = PGRES_POLLING_FAILED;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) throw connect_failed(PQerrorMessage(conn), t.description, t.password);
        const short events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        const wait_result w = wait_for(PQsocket(conn), events, i.wake, until);
        if (i.stopping.load()) return nullptr;
        if (w == wait_result::timed_out)
            throw connect_failed("timeout expired", t.description, t.password).with_transient(true);
        if (w == wait_result::woken) continue;
        st = PQconnectPoll(conn);
    }
    // Sends never block the thread: a full socket is waited on like a read.
    if (PQsetnonblocking(conn, 1) != 0) throw connect_failed(PQerrorMessage(conn), t.description, t.password);
    // The server's messages outside a query ("terminating connection due to administrator
    // command") would go to stderr; they are kept as the reason of the loss instead.
    PQsetNoticeProcessor(
        conn,
        [](void* self, const char* message) {
            static_cast<listener_connection*>(self)->last_notice_ = trimmed(message ? message : "");
        },
        c.get());
    return c;
}

listener_connection::~listener_connection() {
    PQfinish(conn_);
}

step_result listener_connection::lost() {
    std::string why = trimmed(PQerrorMessage(conn_));
    if (!last_notice_.empty()) why = last_notice_ + (why.empty() ? "" : "; " + why);
    for (const std::string_view prefix : {"FATAL:  ", "ERROR:  "}) {
        if (why.starts_with(prefix)) why.erase(0, prefix.size());
    }
    for (char& ch : why) {
        if (ch == '\n' || ch == '\t') ch = ' ';
    }
    return {step::lost, scrub(why.empty() ? "the connection was closed" : why, password_)};
}

step_result listener_connection::exec(const std::string& sql, interrupt i) {
    if (PQsendQuery(conn_, sql.c_str()) == 0) return lost();
    for (;;) {
        const int flushed = PQflush(conn_);
        if (flushed == 0) break;
        if (flushed < 0) return lost();
        (void)wait_for(PQsocket(conn_), POLLIN | POLLOUT, i.wake, std::nullopt);
        if (i.stopping.load()) return {step::stopped};
        if (PQconsumeInput(conn_) == 0) return lost();
    }
    step_result out;
    for (;;) {
        if (PQconsumeInput(conn_) == 0) return lost();
        while (PQisBusy(conn_) == 0) {
            PGresult* r = PQgetResult(conn_);
            if (r == nullptr) return out;
            if (PQresultStatus(r) != PGRES_COMMAND_OK && out.outcome == step::ok) {
                out = {step::failed, scrub(trimmed(PQresultErrorMessage(r)), password_)};
            }
            PQclear(r);
        }
        if (PQstatus(conn_) == CONNECTION_BAD) return lost();
        (void)wait_for(PQsocket(conn_), POLLIN, i.wake, std::nullopt);
        if (i.stopping.load()) return {step::stopped};
    }
}

step_result listener_connection::wait_input(interrupt i) {
    const wait_result w = wait_for(PQsocket(conn_), POLLIN, i.wake, std::nullopt);
    if (i.stopping.load()) return {step::stopped};
    if (w == wait_result::ready && PQconsumeInput(conn_) == 0) return lost();
    if (PQstatus(conn_) == CONNECTION_BAD) return lost();
    return {};
}

std::vector<notification> listener_connection::take_notifications() {
    std::vector<notification> out;
    while (PGnotify* n = PQnotifies(conn_)) {
        out.push_back(notification{.channel = n->relname, .payload = n->extra, .sender_pid = n->be_pid});
        PQfreemem(n);
    }
    return out;
}

}  // namespace strata::postgres::detail
