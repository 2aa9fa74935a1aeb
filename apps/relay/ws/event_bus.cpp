#include "ws/event_bus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <strata/postgres/notify.hpp>

#include "engine/clock.hpp"
#include "engine/notices.hpp"

namespace relay {

namespace {
// Notifications waiting for the fan-out thread before the oldest are dropped for a
// resync: a bound on memory when fan-out cannot keep up.
constexpr std::size_t max_queued = 100000;
// A connection whose sync token did not come back by then starts without it.
constexpr auto sync_timeout = std::chrono::seconds(5);

bool channel_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == ':';
}
// The agents a notification's events go to, when it lists them all.
std::optional<std::vector<std::int64_t>> audience_of(const json& payload) {
    std::vector<std::int64_t> out;
    if (const auto s = payload.find("s"); s != payload.end() && s->is_number_integer()) out.push_back(s->get<std::int64_t>());
    if (const auto to = payload.find("to"); to != payload.end() && to->is_array()) {
        for (const auto& d : *to)
            if (d.is_array() && !d.empty() && d[0].is_number_integer()) out.push_back(d[0].get<std::int64_t>());
        return out;
    }
    if (const auto r = payload.find("r"); r != payload.end() && r->is_array()) {
        for (const auto& a : *r)
            if (a.is_number_integer()) out.push_back(a.get<std::int64_t>());
        return out;
    }
    return std::nullopt;  // a send whose recipients did not fit: read by id
}

}  // namespace

event_bus::~event_bus() {
    stop();
}

std::string event_bus::channel_for(const database& db) {
    const auto schema = db.rt().execute(strata::sql("SELECT current_schema()")).one_as<std::string>();
    const bool plain = !schema.empty() && schema.size() <= strata::postgres::max_channel_bytes - 6 &&
                       std::all_of(schema.begin(), schema.end(), channel_char);
    if (plain) return "relay." + schema;
    // A schema name the channel rule does not take: its hash, which stays per schema.
    return "relay.h" + std::to_string(std::hash<std::string>{}(schema));
}

void event_bus::listen(const engine& eng, const std::vector<const database*>& sources, const database& announce_on,
                       std::string channel) {
    engine_ = &eng;
    announce_on_ = &announce_on;
    channel_ = std::move(channel);
    strata::postgres::check_channel(channel_);
    sync_prefix_ = std::to_string(std::random_device{}()) + std::to_string(std::random_device{}()) + ".";
    hub_.set_starter([this](const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq,
                            const json& greeting) { start_after_sync(c, after_seq, greeting); });
    thread_ = std::thread([this] { run(); });
    for (const database* db : sources) {
        strata::postgres::listener_handlers handlers;
        handlers.on_notification = [this](const strata::postgres::notification& n) {
            std::lock_guard lock(mutex_);
            if (queue_.size() >= max_queued) {  // fan-out is behind: a resync covers what is dropped
                queue_.clear();
                queue_.push_back({true, {}});
            }
            queue_.push_back({false, n.payload});
            wake_.notify_one();
        };
        handlers.on_gap = [this](const strata::postgres::gap& g) {
            spdlog::warn("events: the notification listener reconnected ({}); resyncing every WebSocket client",
                         g.reason);
            ++gaps_;
            std::lock_guard lock(mutex_);
            queue_.push_back({true, {}});
            wake_.notify_one();
        };
        listeners_.push_back(std::make_unique<strata::postgres::listener>(*db->pool(), std::move(handlers)));
        listeners_.back()->listen(channel_);
    }
}

void event_bus::run() {
    for (;;) {
        std::optional<item> next;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            if (!queue_.empty()) {
                next = std::move(queue_.front());
                queue_.pop_front();
            }
        }
        try {
            if (!next) {  // a sync token that does not come back (listener away): start anyway
                const auto overdue = std::chrono::steady_clock::now() - sync_timeout;
                start_pending([&](const std::string&, const pending_start& p) { return p.asked < overdue; });
            } else if (next->gap) {
                hub_.resync_all("notifications_lost");
                start_pending([](const std::string&, const pending_start&) { return true; });
            } else {
                handle(next->payload);
            }
        } catch (const std::exception& e) {
            ++bad_;
            spdlog::error("events: a notification could not be fanned out: {}", e.what());
        }
    }
}

void event_bus::start_after_sync(const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq,
                                 const json& greeting) {
    std::string token;
    {
        std::lock_guard lock(mutex_);
        token = sync_prefix_ + std::to_string(++next_sync_);
        pending_[token] = {c, after_seq, greeting, std::chrono::steady_clock::now()};
    }
    try {
        announce_on_->rt()
            .execute(strata::postgres::notify(channel_, json{{"k", "sync"}, {"id", token}}.dump()))
            .drain();
    } catch (const std::exception& e) {  // no sync point: started now, the race is only with older events
        spdlog::warn("events: could not notify a connection's sync point ({}); starting it now", e.what());
        {
            std::lock_guard lock(mutex_);
            pending_.erase(token);
        }
        hub_.start(c, after_seq, greeting);
    }
}

void event_bus::start_pending(const std::function<bool(const std::string&, const pending_start&)>& pick) {
    std::vector<pending_start> due;
    {
        std::lock_guard lock(mutex_);
        for (auto it = pending_.begin(); it != pending_.end();) {
            if (pick(it->first, it->second)) {
                due.push_back(std::move(it->second));
                it = pending_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& p : due) {
        const auto c = p.conn.lock();
        if (!c) continue;
        try {
            hub_.start(c, p.after_seq, p.greeting);
        } catch (const std::exception& e) {
            spdlog::warn("ws: agent {}: could not start its event stream ({}); closing it", c->agent_id(), e.what());
            c->close();
        }
    }
}

void event_bus::handle(const std::string& payload) {
    const json parsed = json::parse(payload, nullptr, false);
    if (parsed.is_object() && parsed.value("k", "") == "sync") {  // ours, or another instance's
        const std::string token = parsed.value("id", "");
        start_pending([&](const std::string& t, const pending_start&) { return t == token; });
        return;
    }
    if (!parsed.is_object()) {
        ++bad_;
        return;
    }
    ++notifications_;
    if (const auto w = parsed.find("w"); w != parsed.end() && w->is_number_integer()) {
        const double seconds = std::max<double>(0, static_cast<double>(now_ms() - w->get<std::int64_t>()) / 1000.0);
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < lag_buckets.size(); ++i)
            if (seconds <= lag_buckets[i]) ++lag_.counts[i];
        ++lag_.count;
        lag_.sum += seconds;
    }
    // Every instance hears every write: one with none of its agents connected here costs
    // only the parse (no events rebuilt, nothing read by id).
    if (const auto agents = audience_of(parsed); agents ? !hub_.any_connected(*agents) : hub_.connections() == 0) {
        ++skipped_;
        return;
    }
    const auto events = engine_->events_of_notice(parsed);
    if (events.empty()) {
        ++bad_;
        return;
    }
    hub_.publish(events);
}

void event_bus::publish(const write_result& r) {
    if (r.events.empty() || r.announced) return;
    if (!engine_) return hub_.publish(r.events);  // one process: this hub is everyone
    for (const auto& e : r.events) announce(e);
}

// An event no unit announced, announced after its commit: lost for the other instances
// only if this process dies in between (it is state the clients re-read, decision 0032).
void event_bus::announce(const event& e) {
    const auto payloads = detail::event_notices(e, now_ms());
    try {
        if (payloads.empty()) throw std::runtime_error("the event does not fit in a notification");
        for (const auto& p : payloads) announce_on_->rt().execute(strata::postgres::notify(channel_, p)).drain();
    } catch (const std::exception& ex) {
        ++announce_failures_;
        spdlog::warn("events: could not announce a {} event ({}); only this instance's clients get it", e.type,
                     ex.what());
        hub_.publish({e});
    }
}

void event_bus::stop() {
    for (auto& l : listeners_) l->stop();
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    // The stopped listeners stay until the bus goes: /healthz and /metrics may still read
    // their state while the server finishes its requests.
}

event_bus::status event_bus::current() const {
    status s;
    s.through_database = engine_ != nullptr;
    s.gaps = gaps_;
    s.notifications = notifications_;
    s.bad_notifications = bad_;
    s.skipped = skipped_;
    s.announce_failures = announce_failures_;
    if (!listeners_.empty()) s.listener = strata::postgres::listener_state::connected;
    for (const auto& l : listeners_) {
        const auto state = l->state();
        if (state != strata::postgres::listener_state::connected) s.listener = state;
    }
    return s;
}

event_bus::lag_histogram event_bus::lag() const {
    std::lock_guard lock(mutex_);
    return lag_;
}

}  // namespace relay
