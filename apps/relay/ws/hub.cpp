#include "ws/hub.hpp"

#include <algorithm>

namespace relay {

bool hub::add(const std::shared_ptr<ws_connection>& c, std::size_t max_per_agent) {
    std::lock_guard lock(mutex_);
    auto& list = sessions_[c->agent_id()];
    std::erase_if(list, [](const std::weak_ptr<ws_connection>& w) { return w.expired(); });
    if (max_per_agent != 0 && list.size() >= max_per_agent) {
        if (list.empty()) sessions_.erase(c->agent_id());
        return false;
    }
    list.push_back(c);
    return true;
}

void hub::remove(const ws_connection* c) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(c->agent_id());
    if (it == sessions_.end()) return;
    std::erase_if(it->second, [&](const std::weak_ptr<ws_connection>& w) {
        auto locked = w.lock();
        return !locked || locked.get() == c;
    });
    if (it->second.empty()) sessions_.erase(it);
}

void hub::publish(const std::vector<event>& events) {
    // What every recipient's frame shares, built before taking the lock:
    // {"type":<type>,"seq":  ...  ,"data":<data>}
    struct prepared {
        std::string head;
        std::string tail;
        std::vector<std::int64_t> recipients;
    };
    std::vector<prepared> frames;
    frames.reserve(events.size());
    for (const auto& e : events) {
        prepared p;
        p.head = "{\"type\":" + json(e.type).dump(-1, ' ', false, json::error_handler_t::replace) + ",\"seq\":";
        p.tail = ",\"data\":" + e.data.dump(-1, ' ', false, json::error_handler_t::replace) + "}";
        p.recipients = e.recipients;
        std::sort(p.recipients.begin(), p.recipients.end());
        p.recipients.erase(std::unique(p.recipients.begin(), p.recipients.end()), p.recipients.end());
        frames.push_back(std::move(p));
    }
    // Sends are queued under the lock, so each agent's queue gets its events in seq order.
    std::lock_guard lock(mutex_);
    for (const auto& f : frames) {
        for (std::int64_t agent : f.recipients) {
            auto it = sessions_.find(agent);
            if (it == sessions_.end()) continue;
            const auto text = std::make_shared<const std::string>(f.head + std::to_string(++seq_[agent]) + f.tail);
            for (const auto& w : it->second) {
                if (auto s = w.lock()) {
                    s->send(text);
                    ++sent_;
                }
            }
        }
    }
}

void hub::close_all() {
    std::vector<std::shared_ptr<ws_connection>> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [agent, list] : sessions_)
            for (auto& w : list)
                if (auto s = w.lock()) all.push_back(std::move(s));
    }
    for (auto& s : all) s->close();
}

std::size_t hub::connections() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [agent, list] : sessions_) n += list.size();
    return n;
}

}  // namespace relay
