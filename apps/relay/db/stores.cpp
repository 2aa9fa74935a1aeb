#include "db/stores.hpp"

#include <spdlog/spdlog.h>

#include "schema/schema.hpp"

namespace relay {

std::unique_ptr<stores> stores::open(const config& settings, const database_options& options) {
    const bool wants_split = !settings.messages_db_url.empty();
    database_options plain = options;
    plain.wrap_stack = {};
    std::unique_ptr<stores> s(new stores());
    s->legacy_ = database::open(settings.db_url, wants_split ? plain : options);
    spdlog::info("database: {}", s->legacy_->description());
    (void)schema::migrate(s->legacy_->rt(), s->legacy_->kind());

    std::optional<strata::split::store> fresh, replica;
    if (wants_split) {
        s->messages_ = database::open(settings.messages_db_url, options);
        spdlog::info("messages database: {}", s->messages_->description());
        fresh = strata::split::store{s->messages_->rt(), strata::split::role::primary, "messages"};
        if (!settings.db_replica_url.empty() && settings.db_replica_url != settings.db_url) {
            s->replica_ = database::open(settings.db_replica_url, plain);
            spdlog::info("legacy read replica: {}", s->replica_->description());
            replica = strata::split::store{s->replica_->rt(), strata::split::role::read_replica, "legacy-replica"};
        }
    } else if (!settings.db_replica_url.empty()) {
        spdlog::warn("--db-replica is only read in split mode (with --messages-db); ignored");
    }
    strata::split::config c{.enabled = wants_split,
                            .ids = strata::split::id_shape::int64,
                            .legacy = strata::split::store{s->legacy_->rt(), strata::split::role::primary, "legacy"},
                            .legacy_replica = std::move(replica),
                            .fresh = std::move(fresh)};
    s->topology_.emplace(strata::split::topology::boot(std::move(c)));
    const auto& d = s->topology_->decision();
    if (wants_split && !d.split)
        spdlog::warn("split: off, every message stays on --db ({})", d.reason);
    else
        spdlog::info("split: {} ({})", d.split ? "on" : "off", d.reason);
    if (d.split) (void)schema::migrate_messages(s->messages_->rt(), s->messages_->kind());
    return s;
}

stores::~stores() {
    close();
}

std::vector<const database*> stores::all() const {
    std::vector<const database*> out{legacy_.get()};
    if (split()) {
        out.push_back(messages_.get());
        if (replica_) out.push_back(replica_.get());
    }
    return out;
}

dialect stores::kind(strata::split::residency r) const noexcept {
    return r == strata::split::residency::fresh && split() ? messages_->kind() : legacy_->kind();
}

void stores::close() {
    if (messages_) messages_->close();
    if (replica_) replica_->close();
    if (legacy_) legacy_->close();
}

}  // namespace relay
