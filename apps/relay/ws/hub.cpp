#include "ws/hub.hpp"

#include <algorithm>

#include "ws/ws_session.hpp"

namespace relay {

void hub::add(const std::shared_ptr<ws_session>& s) {
    std::lock_guard lock(mutex_);
    sessions_[s->agent_id()].push_back(s);
}

void hub::remove(const ws_session* s) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(s->agent_id());
    if (it == sessions_.end()) return;
    std::erase_if(it->second, [&](const std::weak_ptr<ws_session>& w) {
        auto locked = w.lock();
        return !locked || locked.get() == s;
    });
    if (it->second.empty()) sessions_.erase(it);
}

void hub::publish(const std::vector<event>& events) {
    // Sends happen under the lock, so each agent's queue gets its events in seq order.
    std::lock_guard lock(mutex_);
    for (const auto& e : events) {
        std::vector<std::int64_t> recipients = e.recipients;
        std::sort(recipients.begin(), recipients.end());
        recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
        for (std::int64_t agent : recipients) {
            auto it = sessions_.find(agent);
            if (it == sessions_.end()) continue;
            const auto text = std::make_shared<const std::string>(
                json{{"type", e.type}, {"seq", ++seq_[agent]}, {"data", e.data}}.dump(-1, ' ', false,
                                                                                      json::error_handler_t::replace));
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
    std::vector<std::shared_ptr<ws_session>> all;
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
