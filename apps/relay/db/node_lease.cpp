#include "db/node_lease.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace relay {
namespace {

// Milliseconds since the Unix epoch by the database's clock.
std::string now_sql(dialect d) {
    return d == dialect::postgres ? "CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)"
                                  : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
}

// The lowest id with no live lease, claimed in one statement. Two instances that pick
// the same id race on its row: the loser's upsert finds it live (its WHERE fails) and
// returns nothing, and it tries again.
std::string claim_sql(dialect d) {
    const std::string now = now_sql(d);
    return "WITH RECURSIVE ids(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM ids WHERE n < " +
           std::to_string(node_lease::node_ids - 1) +
           ") "
           "INSERT INTO relay_nodes(node_id, holder, heartbeat_at, expires_at) "
           "SELECT n, CAST(? AS TEXT), " +
           now + ", " + now + " + CAST(? AS BIGINT) FROM (SELECT MIN(n) AS n FROM ids WHERE NOT EXISTS (" +
           "SELECT 1 FROM relay_nodes r WHERE r.node_id = ids.n AND r.expires_at > " + now +
           ")) AS free WHERE n IS NOT NULL "
           "ON CONFLICT (node_id) DO UPDATE SET holder = excluded.holder, heartbeat_at = excluded.heartbeat_at, "
           "expires_at = excluded.expires_at WHERE relay_nodes.expires_at <= excluded.heartbeat_at "
           "RETURNING node_id";
}

std::string renew_sql(dialect d) {
    const std::string now = now_sql(d);
    return "UPDATE relay_nodes SET heartbeat_at = " + now + ", expires_at = " + now +
           " + CAST(? AS BIGINT) WHERE node_id = ? AND holder = ? RETURNING node_id";
}

// Who holds a lease, for the logs and for telling two processes of one host apart.
std::string new_holder() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device rd;
    const auto nonce = (std::uint64_t{rd()} << 32) | rd();
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(nonce);
}

}  // namespace

std::unique_ptr<node_lease> node_lease::acquire(const strata::runtime& db, dialect d, node_lease_options options) {
    if (options.ttl < std::chrono::milliseconds(30))
        throw std::invalid_argument("node lease ttl must be at least 30 ms");
    const std::string holder = new_holder();
    const strata::sql_template claim(claim_sql(d));
    // Each lost race means another instance took an id: at most one try per id.
    for (int attempt = 0; attempt < node_ids; ++attempt) {
        // WITH ... INSERT reads as "unknown" to strata: said to be a write.
        const auto row = db.execute(claim.bind(holder, static_cast<std::int64_t>(options.ttl.count()))
                                        .with_kind(strata::statement_kind::write))
                             .first();
        if (row) {
            const int id = static_cast<int>(row->get<std::int64_t>(0));
            spdlog::info("node id {} leased (holder {}, ttl {} ms)", id, holder, options.ttl.count());
            return std::unique_ptr<node_lease>(new node_lease(db, d, options, id, holder));
        }
        const auto live = db.execute(strata::sql("SELECT COUNT(*) FROM relay_nodes WHERE expires_at > " + now_sql(d)))
                              .one_as<std::int64_t>();
        if (live >= node_ids) break;
    }
    throw std::runtime_error(
        "every node id (0-" + std::to_string(node_ids - 1) +
        ") is leased by a live relay instance on this database (table relay_nodes): stop one, or wait for the lease "
        "of an instance that died to expire");
}

node_lease::node_lease(const strata::runtime& db, dialect d, node_lease_options options, int id, std::string holder)
    : db_(db), dialect_(d), options_(options), id_(id), holder_(std::move(holder)) {
    renewer_ = std::thread([this] { renew_until_stopped(); });
}

node_lease::~node_lease() {
    release();
}

bool node_lease::held() const {
    std::lock_guard lock(mutex_);
    return held_;
}

void node_lease::renew_until_stopped() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, options_.ttl / 3, [this] { return stopping_; })) {
        lock.unlock();
        renew();
        lock.lock();
    }
}

void node_lease::renew() {
    try {
        const bool still_ours =
            db_.execute(strata::sql(renew_sql(dialect_), static_cast<std::int64_t>(options_.ttl.count()),
                                    static_cast<std::int64_t>(id_), holder_))
                .first()
                .has_value();
        std::lock_guard lock(mutex_);
        if (!still_ours && held_) {
            spdlog::error(
                "node id {} is now leased by another instance (this one did not renew it within {} ms): ids it mints "
                "may collide with theirs; /healthz answers 503 until it is restarted",
                id_, options_.ttl.count());
        }
        held_ = held_ && still_ours;
    } catch (const std::exception& e) {
        // The database is away for a moment: the lease holds until its expiry, and the
        // next renewal (a third of the ttl later) tries again.
        spdlog::warn("node id {}: could not renew its lease: {}", id_, e.what());
    }
}

void node_lease::release() noexcept {
    {
        std::lock_guard lock(mutex_);
        if (released_) return;
        released_ = true;
        stopping_ = true;
    }
    wake_.notify_all();
    if (renewer_.joinable()) renewer_.join();
    try {
        db_.execute(strata::sql("DELETE FROM relay_nodes WHERE node_id = ? AND holder = ?",
                                static_cast<std::int64_t>(id_), holder_))
            .drain();
        spdlog::info("node id {} released", id_);
    } catch (const std::exception& e) {
        spdlog::warn("node id {}: could not release its lease ({}); it expires by itself", id_, e.what());
    }
}

}  // namespace relay
