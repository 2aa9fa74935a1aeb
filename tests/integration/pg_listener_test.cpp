// strata::postgres::listener on a real cluster (docs/decisions/0032): delivery in commit
// order, channels checked and quoted, UNLISTEN, a backend terminated under the listener
// (it reconnects, listens again and signals a gap), a stop that ends while reconnecting.
#include <cstdlib>
#include <optional>
#include <thread>

#include "../support/fault_proxy.hpp"
#include "pg_listener_fixture.hpp"

namespace strata::test {
namespace {

using pg_listener = pg_notify_test;
using postgres::listener;
using postgres::listener_state;

// Reconnect attempts close together: the tests wait on the outcome, not on the clock.
const postgres::listener_options quick{.backoff_initial = std::chrono::milliseconds(10),
                                       .backoff_max = std::chrono::milliseconds(50)};

TEST_F(pg_listener, delivers_every_notification_in_commit_order) {
    auto& db = connect();
    inbox in;
    listener l(postgres::url{url()}, in.handlers());
    const std::string ch = channel("events");
    l.listen(ch);
    EXPECT_EQ(l.state(), listener_state::connected);
    for (int i = 0; i < 50; ++i) send(db, ch, std::to_string(i));
    ASSERT_TRUE(arrives(in, ch, "49"));
    std::vector<std::string> expected;
    for (int i = 0; i < 50; ++i) expected.push_back(std::to_string(i));
    EXPECT_EQ(in.payloads(ch), expected);
    EXPECT_TRUE(in.gaps().empty());
    EXPECT_TRUE(eventually([&] { return l.current().delivered == 50u; }));  // counted after the handler
    const auto s = l.current();
    EXPECT_EQ(s.channels, std::vector<std::string>{ch});
    EXPECT_GT(s.backend_pid, 0);
    EXPECT_NE(in.notes().front().sender_pid, s.backend_pid);  // sent by another backend
}

TEST_F(pg_listener, channel_names_are_checked_and_keep_their_case) {
    auto& db = connect();
    inbox in;
    listener l(postgres::url{url()}, in.handlers());
    for (const std::string& bad : {std::string(), std::string("has space"), std::string("x\";DROP TABLE t;--"),
                                   std::string("1starts_with_digit"), std::string(64, 'a'), std::string("ünï")}) {
        SCOPED_TRACE(bad);
        EXPECT_STRATA_ERROR(l.listen(bad), codes::driver_notification_invalid);
        EXPECT_STRATA_ERROR(postgres::notify(bad, "x"), codes::driver_notification_invalid);
    }
    const auto e = catch_error([&] { l.listen("has space"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->details().at("field"), "channel");
    EXPECT_EQ(e->message().find("has space"), std::string::npos);  // the name may come from a request
    // Mixed case and punctuation: LISTEN quotes the name, so pg_notify's exact string matches.
    const std::string mixed = "Ev." + app() + "-A:1";
    l.listen(mixed);
    send(db, "ev." + app() + "-a:1", "other case");  // another channel: names are not folded
    send(db, mixed, "exact");
    ASSERT_TRUE(arrives(in, mixed, "exact"));
    EXPECT_EQ(in.payloads(mixed), std::vector<std::string>{"exact"});
    // A 63-byte name is the longest.
    const std::string longest = (app() + std::string(63, 'x')).substr(0, 63);
    l.listen(longest);
    send(db, longest, "long");
    EXPECT_TRUE(arrives(in, longest, "long"));
}

TEST_F(pg_listener, unlisten_stops_delivery_and_listening_twice_is_once) {
    auto& db = connect();
    inbox in;
    listener l(postgres::url{url()}, in.handlers());
    const std::string a = channel("a"), b = channel("b");
    l.listen(a);
    l.listen(a);
    l.listen(b);
    send(db, a, "1");
    ASSERT_TRUE(arrives(in, a, "1"));
    l.unlisten(a);
    l.unlisten(a);
    send(db, a, "2");
    send(db, b, "after");  // committed after a's: delivered after it, had it been delivered
    ASSERT_TRUE(arrives(in, b, "after"));
    EXPECT_EQ(in.payloads(a), std::vector<std::string>{"1"});
    EXPECT_EQ(l.current().channels, std::vector<std::string>{b});
}

TEST_F(pg_listener, a_terminated_backend_is_replaced_listened_again_and_a_gap_is_signalled) {
    auto& db = connect();
    inbox in;
    listener l(postgres::url{url()}, in.handlers(), quick);
    const std::string a = channel("a"), b = channel("b");
    l.listen(a);
    l.listen(b);
    send(db, a, "before");
    ASSERT_TRUE(arrives(in, a, "before"));
    const int old_pid = l.current().backend_pid;
    ASSERT_EQ(schema().exec("SELECT pg_terminate_backend(" + std::to_string(old_pid) + ")"), "t");

    ASSERT_TRUE(eventually([&] { return !in.gaps().empty(); }, std::chrono::seconds(20)));
    const auto s = l.current();
    EXPECT_EQ(s.state, listener_state::connected);
    EXPECT_EQ(s.reconnects, 1u);
    EXPECT_NE(s.backend_pid, old_pid);
    EXPECT_GT(s.backend_pid, 0);
    EXPECT_EQ(in.gaps().front().reconnects, 1u);
    EXPECT_NE(in.gaps().front().reason.find("administrator command"), std::string::npos) << in.gaps().front().reason;
    // Both channels were listened to again before the gap: what commits now arrives.
    send(db, a, "after");
    send(db, b, "after");
    ASSERT_TRUE(arrives(in, a, "after"));
    ASSERT_TRUE(arrives(in, b, "after"));
    const auto events = in.events();
    EXPECT_EQ(events, (std::vector<std::string>{"note:" + a + ":before", "gap", "note:" + a + ":after",
                                                "note:" + b + ":after"}));
    // A channel added after the reconnect is listened to on the new backend.
    const std::string c = channel("c");
    l.listen(c);
    send(db, c, "new");
    EXPECT_TRUE(arrives(in, c, "new"));
}

TEST_F(pg_listener, channels_asked_for_while_reconnecting_are_listened_to_on_reconnection) {
    auto& db = connect();
    fault_proxy proxy(url());
    inbox in;
    listener l(postgres::url{proxy.url_through(url())}, in.handlers(), quick);
    const std::string a = channel("a");
    l.listen(a);
    proxy.hang_up_new_connections(true);
    (void)schema().exec("SELECT pg_terminate_backend(" + std::to_string(l.current().backend_pid) + ")");
    ASSERT_TRUE(eventually([&] { return l.state() == listener_state::reconnecting; }));
    const std::string b = channel("b");
    l.listen(b);  // returns at once: nothing to run it on
    l.unlisten(a);
    EXPECT_EQ(l.current().channels, std::vector<std::string>{b});
    proxy.hang_up_new_connections(false);
    ASSERT_TRUE(eventually([&] { return !in.gaps().empty(); }, std::chrono::seconds(20)));
    send(db, a, "dropped");
    send(db, b, "kept");
    ASSERT_TRUE(arrives(in, b, "kept"));
    EXPECT_TRUE(in.payloads(a).empty());
}

TEST_F(pg_listener, stop_while_reconnecting_returns_and_errors_hold_no_password) {
    fault_proxy proxy(url());
    inbox in;
    auto l = std::make_unique<listener>(postgres::url{proxy.url_through(url())}, in.handlers(), quick);
    l->listen(channel("a"));
    proxy.hang_up_new_connections(true);  // every attempt to reconnect fails
    (void)schema().exec("SELECT pg_terminate_backend(" + std::to_string(l->current().backend_pid) + ")");
    ASSERT_TRUE(eventually([&] { return l->state() == listener_state::reconnecting; }));
    // Several attempts failed (the last error is the connect's, not the loss's).
    ASSERT_TRUE(eventually([&] { return l->current().last_error.find("Could not connect") != std::string::npos; }));
    PGconn* raw = pg_connect(url());
    const std::string password = PQpass(raw);
    PQfinish(raw);
    ASSERT_GE(password.size(), 3u);
    EXPECT_EQ(l->current().last_error.find(password), std::string::npos);
    l->stop();  // bounded: it must return, whatever the backoff
    EXPECT_EQ(l->state(), listener_state::stopped);
    EXPECT_STRATA_ERROR(l->listen(channel("b")), codes::driver_closed);
    l->stop();  // idempotent
    l.reset();
    EXPECT_TRUE(in.gaps().empty());
}

TEST_F(pg_listener, stop_interrupts_a_backoff_of_an_hour) {
    inbox in;
    listener l(postgres::url{url()}, in.handlers(),
               {.backoff_initial = std::chrono::hours(1), .backoff_max = std::chrono::hours(1)});
    l.listen(channel("a"));
    (void)schema().exec("SELECT pg_terminate_backend(" + std::to_string(l.current().backend_pid) + ")");
    ASSERT_TRUE(eventually([&] { return l.state() == listener_state::reconnecting; }));
    l.stop();  // sleeping for half an hour or more before its first attempt: must not wait it out
    EXPECT_EQ(l.state(), listener_state::stopped);
    EXPECT_EQ(l.current().reconnects, 0u);
}

TEST_F(pg_listener, stop_while_listening_returns_at_once_and_the_backend_goes_away) {
    inbox in;
    listener l(postgres::url{url()}, in.handlers());
    l.listen(channel("a"));
    const int pid = l.current().backend_pid;
    l.stop();
    EXPECT_EQ(l.state(), listener_state::stopped);
    EXPECT_TRUE(eventually([&] {
        return schema().exec("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) == "0";
    }));
}

TEST_F(pg_listener, a_listener_that_cannot_connect_fails_in_its_constructor) {
    inbox in;
    const std::string closed_port =
        "postgresql://app:Listener-Secret-Pw@127.0.0.1:1/app?connect_timeout=5&sslmode=disable";
    const auto e = catch_error([&] { listener l(postgres::url{closed_port}, in.handlers()); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), codes::driver_connect_failed);
    EXPECT_EQ(e->describe().find("Listener-Secret-Pw"), std::string::npos) << e->describe();
    EXPECT_STRATA_ERROR(listener(postgres::url{url()}, {.on_notification = [](const postgres::notification&) {}}),
                        codes::driver_binding_invalid);
    EXPECT_STRATA_ERROR(listener(postgres::url{"mysql://x"}, in.handlers()), codes::driver_binding_invalid);
}

TEST_F(pg_listener, a_handler_may_listen_and_a_throwing_handler_is_counted) {
    auto& db = connect();
    const std::string a = channel("a"), b = channel("b");
    std::mutex m;
    std::vector<std::string> got;
    listener* self = nullptr;
    listener l(postgres::url{url()}, {.on_notification =
                                          [&](const postgres::notification& n) {
                                              if (n.payload == "throw") throw std::runtime_error("handler fault");
                                              if (n.payload == "listen-b") self->listen(b);
                                              std::lock_guard lock(m);
                                              got.push_back(n.channel + ":" + n.payload);
                                          },
                                      .on_gap = [](const postgres::gap&) {}});
    self = &l;
    l.listen(a);
    send(db, a, "throw");
    send(db, a, "listen-b");
    ASSERT_TRUE(eventually([&] { return l.current().channels.size() == 2; }));
    ASSERT_TRUE(eventually([&] { return l.current().delivered == 1; }));
    l.listen(b);  // already asked for by the handler: returns once that LISTEN ran
    send(db, b, "on-b");
    ASSERT_TRUE(eventually([&] {
        std::lock_guard lock(m);
        return got.size() == 2;
    }));
    EXPECT_EQ(got, (std::vector<std::string>{a + ":listen-b", b + ":on-b"}));
    EXPECT_EQ(l.current().handler_failures, 1u);
}

TEST_F(pg_listener, a_handler_may_stop_its_listener) {
    auto& db = connect();
    std::unique_ptr<listener> l;
    std::atomic<bool> stopped_inside{false};
    l = std::make_unique<listener>(postgres::url{url()},
                                   postgres::listener_handlers{.on_notification =
                                                                   [&](const postgres::notification&) {
                                                                       l->stop();
                                                                       stopped_inside = true;
                                                                   },
                                                               .on_gap = [](const postgres::gap&) {}});
    l->listen(channel("a"));
    send(db, channel("a"), "stop");
    ASSERT_TRUE(eventually([&] { return stopped_inside.load(); }));
    EXPECT_TRUE(eventually([&] { return l->state() == listener_state::stopped; }));
    l.reset();  // the thread was detached by the handler's stop(): nothing left to join
}

// Payloads arrive in the session's client encoding: the listener fixes it to UTF-8, as
// the pool does (decision 0029), whatever the environment or the server's default says.
TEST_F(pg_listener, payloads_arrive_in_utf8_whatever_the_default_client_encoding) {
    auto& db = connect();
    inbox in;
    ::setenv("PGCLIENTENCODING", "LATIN1", 1);  // what libpq would use, unless told otherwise
    std::optional<listener> l;
    try {
        l.emplace(postgres::url{url()}, in.handlers());
    } catch (...) {
        ::unsetenv("PGCLIENTENCODING");
        throw;
    }
    ::unsetenv("PGCLIENTENCODING");
    const std::string ch = channel("utf8");
    l->listen(ch);
    const std::string text = "caf\xc3\xa9 \xe2\x82\xac";  // café €: € has no LATIN1 form
    send(db, ch, text);
    ASSERT_TRUE(arrives(in, ch, text));
    EXPECT_TRUE(in.gaps().empty());
}

TEST_F(pg_listener, a_listener_opens_its_own_connection_from_a_pool) {
    auto pool = postgres::make_pool(url());
    auto db = instantiate(postgres::make_stack());
    db.connect(postgres::pool_binding{pool});
    inbox in;
    listener l(*pool, in.handlers());
    l.listen(channel("a"));
    send(db, channel("a"), "via pool");
    EXPECT_TRUE(arrives(in, channel("a"), "via pool"));
    EXPECT_EQ(pool->statistics().open, 1u);  // the listener's connection is not the pool's
    db.close();
}

}  // namespace
}  // namespace strata::test
