#include "ws/event_bus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <strata/postgres/notify.hpp>

#include "engine/clock.hpp"
#include "engine/notices.hpp"

namespace relay {

namespace {
// Notifications waiting for the fan-out thread before the oldest are dropped for a
// resync: a bound on memory when fan-out cannot keep up.
constexpr std::size_t max_queued = 100000;

bool channel_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == ':';
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
        item next;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            next = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            if (next.gap)
                hub_.resync_all("notifications_lost");
            else
                handle(next.payload);
        } catch (const std::exception& e) {
            ++bad_;
            spdlog::error("events: a notification could not be fanned out: {}", e.what());
        }
    }
}

void event_bus::handle(const std::string& payload) {
    const json parsed = json::parse(payload, nullptr, false);
    const auto events = parsed.is_discarded() ? std::vector<event>{} : engine_->events_of_notice(parsed);
    if (events.empty()) {
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
    listeners_.clear();
}

event_bus::status event_bus::current() const {
    status s;
    s.through_database = engine_ != nullptr;
    s.gaps = gaps_;
    s.notifications = notifications_;
    s.bad_notifications = bad_;
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
