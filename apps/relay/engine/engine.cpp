#include "engine/engine.hpp"

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/message_reads.hpp"
#include "engine/message_writes.hpp"
#include "engine/unit_outcome.hpp"

namespace relay {

engine::engine(const stores& databases, engine_options options)
    : db_(databases.control().rt()),
      dialect_(databases.control().kind()),
      queries_(databases.control().kind()),
      fresh_queries_(databases.kind(strata::split::residency::fresh)),
      fresh_dialect_(databases.kind(strata::split::residency::fresh)),
      names_(db_),
      messages_(databases, names_),
      options_(std::move(options)),
      ids_(options_.node_id),
      message_ids_(static_cast<unsigned>(options_.node_id)) {
    atomic_.require_atomic = options_.require_atomic;
    // A PostgreSQL deadlock between two sends that lock the same recipients in another
    // order (or SQLite busy from another process) is retried; the unit runs again from
    // the start, so it stays all-or-nothing.
    atomic_.transaction.retry.max_attempts = 5;
}

strata::atomic_options engine::send_options(std::int64_t channel_id) const {
    strata::atomic_options o = atomic_;
    // One pipeline where the database has one (PostgreSQL): the channel row lock the
    // send takes first is held for one round trip. Elsewhere sends to one channel share
    // commits (on SQLite, every send: one writer).
    o.prefer_batch = options_.write_batches;
    if (options_.group_commit) o.group = strata::commit_group{"channel:" + std::to_string(channel_id)};
    return o;
}

std::optional<strata::atomic_result> engine::run_unit(const std::vector<strata::plan>& plans,
                                                      const std::optional<strata::plan>& landed) const {
    return detail::run_resolving(db_, plans, atomic_, landed);
}

std::optional<strata::atomic_result> engine::run_message_unit(std::int64_t anchor,
                                                              const std::vector<strata::plan>& plans,
                                                              const std::optional<strata::plan>& landed) const {
    return detail::run_resolving(messages_.primary(messages_.owner(anchor)), plans, atomic_, landed);
}

write_result engine::run_send(detail::send_spec spec, const std::optional<idempotency_claim>& idem, unsigned status,
                              const json& response, const detail::send_announcement& a) const {
    const auto owner = messages_.owner(spec.message.id);
    const dialect store_dialect = owner == strata::split::residency::fresh ? fresh_dialect_ : dialect_;
    write_result out{status, response, {}};
    out.announced = options_.notify_channel.has_value() && store_dialect == dialect::postgres;
    if (out.announced) spec.notice = detail::send_notice(*options_.notify_channel, a, now_ms());
    out.events = detail::send_events(a, execute(spec, owner, idem, status, response));
    return out;
}

std::vector<detail::accepted_delivery> engine::execute(const detail::send_spec& spec, strata::split::residency owner,
                                                       const std::optional<idempotency_claim>& idem, unsigned status,
                                                       const json& response) const {
    const strata::atomic_options options = send_options(spec.message.channel_id);
    const detail::unit_runner run = [&](const auto& plans, const auto& landed) {
        return detail::run_resolving(messages_.primary(owner), plans, options, landed);
    };
    const strata::runtime& store = messages_.primary(owner);
    if (owner == strata::split::residency::fresh) {  // the unit cannot see the members: list them first
        const auto listed = detail::list_recipients(db_, spec);
        return detail::execute_send(run, store, queries_, spec, &listed, idem, status, response);
    }
    return detail::execute_send(run, store, queries_, spec, nullptr, idem, status, response);
}

std::int64_t engine::next_message_id() const {
    return messages_.split() ? message_ids_.mint() : ids_.next();
}

std::optional<detail::message_place> engine::visible(const principal& p, std::int64_t message_id) const {
    return detail::visible_message(db_, messages_, names_, p, message_id);
}

bool engine::healthy() const {
    try {
        for (const auto& s : messages_.primaries())
            if (s.db->execute(strata::sql("SELECT 1")).one_as<int>() != 1) return false;
        return db_.execute(strata::sql("SELECT 1")).one_as<int>() == 1;
    } catch (const std::exception&) {
        return false;
    }
}

namespace detail {

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

void require_agent_caller(const principal& p) {
    if (!p.is_agent()) fail(403, "agent_token_required", "This route needs an agent token (Bearer at_live_...).");
}

void require_workspace_caller(const principal& p) {
    if (p.is_agent()) fail(403, "workspace_key_required", "This route needs the workspace key (Bearer rk_live_...).");
}

}  // namespace detail
}  // namespace relay
