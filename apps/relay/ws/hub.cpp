#include "ws/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace relay {

namespace {
std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace

struct hub::prepared {
    struct frame {
        std::string head;  // {"type":<type>,"seq":
        std::string tail;  // ,"data":<data>}
        std::vector<std::int64_t> recipients;  // sorted, unique
    };
    std::vector<frame> frames;
    std::unordered_map<std::int64_t, std::int64_t> seq_of;  // agent -> its delivery seq in this write

    [[nodiscard]] std::int64_t seq(std::int64_t agent) const {
        const auto it = seq_of.find(agent);
        return it == seq_of.end() ? 0 : it->second;
    }
};

struct hub::position {
    std::mutex m;
    bool started = false;
    bool closed = false;  // closed for a failure: nothing more is sent
    std::int64_t last = 0;
};

bool hub::add(const std::shared_ptr<ws_connection>& c, std::size_t max_per_agent) {
    std::lock_guard lock(mutex_);
    auto& list = sessions_[c->agent_id()];
    std::erase_if(list, [](const member& m) { return m.conn.expired(); });
    if (max_per_agent != 0 && list.size() >= max_per_agent) {
        if (list.empty()) sessions_.erase(c->agent_id());
        return false;
    }
    list.push_back({c, std::make_shared<position>()});
    return true;
}

std::shared_ptr<hub::position> hub::position_of(const ws_connection* c) const {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(c->agent_id());
    if (it == sessions_.end()) return nullptr;
    for (const auto& m : it->second)
        if (auto locked = m.conn.lock(); locked.get() == c) return m.pos;
    return nullptr;
}

void hub::start(const std::shared_ptr<ws_connection>& c, std::optional<std::int64_t> after_seq,
                const json& greeting) {
    const auto pos = position_of(c.get());
    if (!pos) return;  // already gone
    std::lock_guard lock(pos->m);
    if (after_seq) {
        pos->last = *after_seq;
        send_frame(*c, "connected", pos->last, greeting);
        catch_up(*c, *pos, std::nullopt);
    } else {
        pos->last = reader_.position ? reader_.position(c->agent_id()) : 0;
        send_frame(*c, "connected", pos->last, greeting);
    }
    pos->started = true;
}

void hub::remove(const ws_connection* c) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(c->agent_id());
    if (it == sessions_.end()) return;
    std::erase_if(it->second, [&](const member& m) {
        auto locked = m.conn.lock();
        return !locked || locked.get() == c;
    });
    if (it->second.empty()) sessions_.erase(it);
}

void hub::send_frame(ws_connection& c, const std::string& type, std::int64_t seq, const json& data) {
    c.send(std::make_shared<const std::string>("{\"type\":" + dump(json(type)) + ",\"seq\":" + std::to_string(seq) +
                                               ",\"data\":" + dump(data) + "}"));
    ++sent_;
}

void hub::catch_up(ws_connection& c, position& pos, std::optional<std::int64_t> upto) {
    if (!reader_.after) return;
    const std::vector<json> missed = reader_.after(c.agent_id(), pos.last, replay_limit);
    for (const json& d : missed) {
        const std::int64_t seq = d.at("seq").get<std::int64_t>();
        if (upto && seq > *upto) return;
        send_frame(c, "delivery.replay", seq, d);
        ++replayed_;
        pos.last = seq;
    }
    if (missed.size() < replay_limit || (upto && pos.last >= *upto)) return;
    // More are missing than one catch-up replays: the client pages them.
    ++resyncs_;
    send_frame(c, "resync", pos.last, json{{"after_seq", pos.last}, {"reason", "replay_limit"}});
    pos.last = upto ? *upto : (reader_.position ? reader_.position(c.agent_id()) : pos.last);
}

void hub::deliver(ws_connection& c, position& pos, const prepared& p) {
    const std::int64_t agent = c.agent_id();
    const std::int64_t seq = p.seq(agent);
    if (seq != 0) {
        if (seq <= pos.last) return;  // sent already (replayed, or announced twice)
        if (seq > pos.last + 1) catch_up(c, pos, seq - 1);
        pos.last = seq;
    }
    for (const auto& f : p.frames) {
        if (!std::binary_search(f.recipients.begin(), f.recipients.end(), agent)) continue;
        c.send(std::make_shared<const std::string>(f.head + std::to_string(pos.last) + f.tail));
        ++sent_;
    }
}

void hub::publish(const std::vector<event>& events) {
    if (events.empty()) return;
    // Who is connected here, first: only their frames are serialized (on PostgreSQL every
    // instance hears every write, and most of its recipients are elsewhere).
    std::unordered_map<std::int64_t, bool> here;  // agent -> connected here
    std::vector<target> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& e : events)
            for (std::int64_t agent : e.recipients) {
                if (here.count(agent) != 0) continue;
                const auto it = sessions_.find(agent);
                here[agent] = it != sessions_.end();
                if (it == sessions_.end()) continue;
                for (const auto& m : it->second)
                    if (auto conn = m.conn.lock()) targets.push_back({std::move(conn), m.pos});
            }
    }
    if (targets.empty()) return;
    auto p = std::make_shared<prepared>();
    for (const auto& e : events) {
        prepared::frame f;
        for (std::int64_t agent : e.recipients)
            if (here[agent]) f.recipients.push_back(agent);
        if (f.recipients.empty()) continue;
        std::sort(f.recipients.begin(), f.recipients.end());
        f.recipients.erase(std::unique(f.recipients.begin(), f.recipients.end()), f.recipients.end());
        f.head = "{\"type\":" + dump(json(e.type)) + ",\"seq\":";
        f.tail = ",\"data\":" + dump(e.data) + "}";
        for (const auto& [agent, seq] : e.positions)
            if (here[agent]) p->seq_of[agent] = std::max(p->seq_of[agent], seq);
        p->frames.push_back(std::move(f));
    }
    // Each connection in turn, under its own lock: frames go out in the order they are
    // decided, and a catch-up read holds up only its connection.
    for (const auto& t : targets) {
        std::lock_guard lock(t.pos->m);
        if (t.pos->closed || !t.pos->started) continue;
        try {
            deliver(*t.conn, *t.pos, *p);
        } catch (const std::exception& e) {
            // Its missed deliveries could not be read: closed, the client reconnects with
            // ?after_seq and gets them then.
            spdlog::warn("ws: agent {}: could not read its missed deliveries ({}); closing its connection",
                         t.conn->agent_id(), e.what());
            t.pos->closed = true;
            t.conn->close();
        }
    }
}

void hub::resync_all(const std::string& reason) {
    std::vector<target> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [agent, list] : sessions_)
            for (const auto& m : list)
                if (auto conn = m.conn.lock()) targets.push_back({std::move(conn), m.pos});
    }
    for (const auto& t : targets) {
        std::lock_guard lock(t.pos->m);
        if (t.pos->closed || !t.pos->started) continue;  // a start reads the database after this
        ++resyncs_;
        send_frame(*t.conn, "resync", t.pos->last, json{{"after_seq", t.pos->last}, {"reason", reason}});
        try {
            catch_up(*t.conn, *t.pos, std::nullopt);
        } catch (const std::exception& e) {
            spdlog::warn("ws: agent {}: could not read its missed deliveries ({}); closing its connection",
                         t.conn->agent_id(), e.what());
            t.pos->closed = true;
            t.conn->close();
        }
    }
}

void hub::close_all() {
    std::vector<std::shared_ptr<ws_connection>> all;
    {
        std::lock_guard lock(mutex_);
        for (auto& [agent, list] : sessions_)
            for (auto& m : list)
                if (auto s = m.conn.lock()) all.push_back(std::move(s));
    }
    for (auto& s : all) s->close();
}

bool hub::any_connected(const std::vector<std::int64_t>& agents) const {
    std::lock_guard lock(mutex_);
    return std::any_of(agents.begin(), agents.end(), [&](std::int64_t a) { return sessions_.count(a) != 0; });
}

std::size_t hub::connections() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [agent, list] : sessions_) n += list.size();
    return n;
}

}  // namespace relay
