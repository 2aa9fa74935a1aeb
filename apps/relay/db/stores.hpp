// The databases relay runs on, and the one boot decision between them (decision 0014):
//   --db URL           the control plane (workspaces, agents, channels, members, files,
//                      conversations) and the messages written before a split;
//   --db-replica URL   a read replica of --db, read for those old messages (optional);
//   --messages-db URL  the new messages database (optional): with it, relay asks
//                      strata::split::topology to split, which it does only when the
//                      probes show a database distinct from --db.
// Without --messages-db (or when the decision is passthrough) everything is --db.
#pragma once

#include <memory>
#include <optional>
#include <strata/split.hpp>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/database.hpp"

namespace relay {

class stores {
public:
    // Opens and migrates the databases and makes the boot decision (logged with its
    // reason). `options.wrap_stack` wraps the database message units run on: the
    // messages database when one is configured, else --db. Throws strata::error when a
    // database cannot be opened or holds a contract relay must not change.
    [[nodiscard]] static std::unique_ptr<stores> open(const config& settings, const database_options& options);
    ~stores();
    stores(const stores&) = delete;
    stores& operator=(const stores&) = delete;

    // The control plane: --db's primary.
    [[nodiscard]] const database& control() const noexcept { return *legacy_; }
    // The messages database (nullptr unless split).
    [[nodiscard]] const database* messages() const noexcept { return split() ? messages_.get() : nullptr; }
    // --db's read replica (nullptr unless split with --db-replica).
    [[nodiscard]] const database* replica() const noexcept { return split() ? replica_.get() : nullptr; }
    [[nodiscard]] const strata::split::topology& topology() const noexcept { return *topology_; }
    [[nodiscard]] bool split() const noexcept { return topology_->split(); }
    // Every database relay reads or writes (control first), for metrics.
    [[nodiscard]] std::vector<const database*> all() const;
    // The dialect of the database holding rows of a residency.
    [[nodiscard]] dialect kind(strata::split::residency r) const noexcept;
    void close();

private:
    stores() = default;
    std::unique_ptr<database> legacy_;
    std::unique_ptr<database> replica_;
    std::unique_ptr<database> messages_;
    std::optional<strata::split::topology> topology_;
};

}  // namespace relay
