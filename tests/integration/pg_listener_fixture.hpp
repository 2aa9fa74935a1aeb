// Shared set-up of the notification tests (docs/decisions/0032): an inbox that collects
// what a listener delivers, and channel names of the test's own (channels are global to
// the cluster, so each test prefixes its schema's name).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "pg_fixture.hpp"
#include "strata/postgres/listener.hpp"

namespace strata::test {

// What a listener handed over, in order. Thread-safe.
class inbox {
public:
    postgres::listener_handlers handlers() {
        return {.on_notification =
                    [this](const postgres::notification& n) {
                        std::lock_guard lock(mutex_);
                        notes_.push_back(n);
                        events_.push_back("note:" + n.channel + ":" + n.payload);
                    },
                .on_gap =
                    [this](const postgres::gap& g) {
                        std::lock_guard lock(mutex_);
                        gaps_.push_back(g);
                        events_.push_back("gap");
                    }};
    }
    [[nodiscard]] std::vector<postgres::notification> notes() const {
        std::lock_guard lock(mutex_);
        return notes_;
    }
    [[nodiscard]] std::vector<postgres::gap> gaps() const {
        std::lock_guard lock(mutex_);
        return gaps_;
    }
    // "note:<channel>:<payload>" and "gap", in delivery order.
    [[nodiscard]] std::vector<std::string> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    [[nodiscard]] std::vector<std::string> payloads(const std::string& channel) const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& n : notes_)
            if (n.channel == channel) out.push_back(n.payload);
        return out;
    }
    [[nodiscard]] bool has(const std::string& channel, const std::string& payload) const {
        for (const auto& p : payloads(channel))
            if (p == payload) return true;
        return false;
    }

private:
    mutable std::mutex mutex_;
    std::vector<postgres::notification> notes_;
    std::vector<postgres::gap> gaps_;
    std::vector<std::string> events_;
};

class pg_notify_test : public pg_test {
protected:
    // A channel of this test's own.
    [[nodiscard]] std::string channel(const std::string& suffix) const { return app() + "_" + suffix; }
    // Sends through strata, autocommit.
    static void send(const runtime& db, const std::string& ch, const std::string& payload) {
        db.execute(postgres::notify(ch, payload)).drain();
    }
    // Waits until the listener delivered `payload` on `ch`.
    bool arrives(const inbox& in, const std::string& ch, const std::string& payload) {
        return eventually([&] { return in.has(ch, payload); }, std::chrono::seconds(20));
    }
};

}  // namespace strata::test
