// relay's node id, leased from the database (issue 17 item 3, decision 0032): the 10
// worker bits of every snowflake this process mints, unique among the instances sharing
// a database instead of random (which collided once in 1024 pairs, as primary-key 500s).
//
// A row per id in relay_nodes (holder, heartbeat_at, expires_at, in the database's
// clock: instances on hosts whose clocks disagree still agree on expiry). At start an
// instance claims the lowest id that is free or whose lease expired, in one statement; a
// thread renews it every ttl/3; a clean stop deletes the row. An instance paused past
// its ttl whose id was taken meanwhile finds out at its next renewal: held() turns false
// and /healthz answers 503, so a load balancer drains it (restart it for a new id).
// The table is created by schema::migrate (schema/schema.cpp), outside the contract.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/database.hpp"

namespace relay {

struct node_lease_options {
    // A lease not renewed for this long may be claimed by another instance.
    std::chrono::milliseconds ttl{std::chrono::seconds(30)};
};

class node_lease {
public:
    static constexpr int node_ids = 1024;  // the snowflake's 10 worker bits

    // Claims an id and starts renewing it. Throws std::runtime_error when every id is
    // held by a live instance; strata::error when the database fails.
    [[nodiscard]] static std::unique_ptr<node_lease> acquire(const strata::runtime& db, dialect d,
                                                             node_lease_options options = {});
    ~node_lease();
    node_lease(const node_lease&) = delete;
    node_lease& operator=(const node_lease&) = delete;

    [[nodiscard]] int id() const noexcept { return id_; }
    [[nodiscard]] const std::string& holder() const noexcept { return holder_; }
    // False once a renewal found the id held by another instance.
    [[nodiscard]] bool held() const;
    // Stops renewing and gives the id back (idempotent; never throws).
    void release() noexcept;

private:
    node_lease(const strata::runtime& db, dialect d, node_lease_options options, int id, std::string holder);
    void renew_until_stopped();
    void renew();

    const strata::runtime& db_;
    dialect dialect_;
    node_lease_options options_;
    int id_;
    std::string holder_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool released_ = false;
    bool held_ = true;
    std::thread renewer_;
};

}  // namespace relay
