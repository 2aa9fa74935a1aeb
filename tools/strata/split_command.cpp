#include "split_command.hpp"

#include <CLI/CLI.hpp>
#include <ostream>
#include <strata/split.hpp>
#include <strata/strata.hpp>

#include "cli_errors.hpp"
#include "database_url.hpp"

namespace strata::cli {
namespace {

bool is_identifier(const std::string& s) {
    if (s.empty() || s.size() > 63) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

std::string where(const split::store& s) {
    return "'" + s.name + "'";
}

}  // namespace

CLI::App& add_split_command(CLI::App& app, split_status_options& o) {
    CLI::App* split_cmd = app.add_subcommand("split", "Split stores: one dataset over two databases.");
    split_cmd->require_subcommand(1);
    CLI::App* status = split_cmd->add_subcommand(
        "status", "Print the boot decision (split on or off, and why) and where given ids live.");
    status->add_option("--db", o.db_url, "the legacy database (control plane and old rows)")->required();
    status->add_option("--db-replica", o.replica_url, "the legacy database's read replica (default: --db)");
    status->add_option("--messages-db", o.messages_url, "the new database");
    status->add_flag("--off", o.off, "decide as if the split flag were off");
    status->add_option("--ids", o.id_shape, "the shape of the ids: int64 (default) or text");
    status->add_option("--table", o.table, "look each --id up in this table (column id) in the stores a read asks");
    status->add_option("--id", o.ids, "an id to classify (repeatable)");
    return *status;
}

void run_split_status(const split_status_options& o, std::ostream& out) {
    if (o.id_shape != "int64" && o.id_shape != "text") throw usage_error("CLI.USAGE", "--ids must be int64 or text.");
    if (!o.table.empty() && !is_identifier(o.table))
        throw usage_error("CLI.USAGE", "--table must be a lower-case SQL identifier (a-z, 0-9, _).");
    // Every URL is checked before anything is opened.
    const database_target legacy_target = target_for_url(o.db_url);
    std::optional<database_target> replica_target, fresh_target;
    if (!o.replica_url.empty()) replica_target = target_for_url(o.replica_url);
    if (!o.messages_url.empty()) fresh_target = target_for_url(o.messages_url);

    split::config c{.enabled = !o.off,
                    .ids = o.id_shape == "text" ? split::id_shape::text : split::id_shape::int64,
                    .legacy = split::store{open_database(legacy_target), split::role::primary, "legacy"},
                    .legacy_replica = std::nullopt,
                    .fresh = std::nullopt};
    if (replica_target)
        c.legacy_replica = split::store{open_database(*replica_target), split::role::read_replica, "legacy-replica"};
    if (fresh_target) c.fresh = split::store{open_database(*fresh_target), split::role::primary, "messages"};
    const split::topology t = split::topology::boot(c);
    const auto& d = t.decision();
    out << "split: " << (d.split ? "on" : "off") << '\n' << "reason: " << d.reason << '\n';
    if (!d.legacy_identity.empty()) out << "legacy database: " << d.legacy_identity << '\n';
    if (!d.replica_identity.empty()) out << "legacy replica: " << d.replica_identity << '\n';
    if (!d.fresh_identity.empty()) out << "new database: " << d.fresh_identity << '\n';

    for (const std::string& id : o.ids) {
        const split::residency owner = t.owner(std::string_view(id));
        const split::residency shape =
            o.id_shape == "text" ? split::text_ids::classify(id) : split::int64_ids::classify(std::string_view(id));
        out << "id " << id << ": " << (shape == split::residency::fresh ? "new" : "legacy") << " shape; writes go to "
            << where(t.writer(owner)) << "; a read asks ";
        std::vector<const split::store*> asks;
        if (t.split()) asks.push_back(&t.writer(split::residency::fresh));
        if (owner == split::residency::legacy)
            asks.push_back(&t.reader(split::residency::legacy, split::read_consistency::replica_ok));
        for (std::size_t i = 0; i < asks.size(); ++i) out << (i ? ", then " : "") << where(*asks[i]);
        out << '\n';
        if (o.table.empty()) continue;
        for (const split::store* s : asks) {
            const bool int_ids = o.id_shape == "int64";
            std::optional<std::int64_t> as_int;
            if (int_ids) {
                try {
                    as_int = std::stoll(std::string(split::strip_prefix(id)));
                } catch (const std::exception&) {
                }
            }
            bool found = false;
            if (!int_ids || as_int) {
                const std::string text = "SELECT 1 FROM " + o.table + " WHERE id = ?";
                found =
                    (int_ids ? s->read(sql(text, *as_int)) : s->read(sql(text, std::string(id)))).first().has_value();
            }
            out << "  " << where(*s) << ": " << (found ? "found in " : "not in ") << o.table << '\n';
        }
    }
    c.legacy.db.close();
    if (c.legacy_replica) c.legacy_replica->db.close();
    if (c.fresh) c.fresh->db.close();
}

}  // namespace strata::cli
