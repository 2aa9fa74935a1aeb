// Mark read (one atomic unit: receipt + the reader's deliveries acked + the read cursor
// moved forward only) and the readers of a message. In split mode the receipt and the
// deliveries live with the message (either database) and the cursor on the control
// plane: the unit runs on the message's store and the cursor moves after it commits, in
// a second step that only ever moves forward, so repeating a mark read completes it.
#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_reads.hpp"
#include "engine/paging.hpp"

namespace relay {
namespace {

std::vector<std::int64_t> audience_of(const strata::runtime& db, const detail::message_place& m) {
    static const strata::sql_template members("SELECT agent_id FROM channel_members WHERE channel_id = ?");
    static const strata::sql_template participants(
        "SELECT agent_id FROM dm_participants WHERE conversation_id = ? AND left_at IS NULL");
    if (m.channel_type == 0) return db.execute(members.bind(m.channel_id)).all_as<std::int64_t>();
    return db.execute(participants.bind(m.conversation_id.value_or(""))).all_as<std::int64_t>();
}

}  // namespace

write_result engine::mark_read(const principal& p, std::int64_t message_id) {
    detail::require_agent_caller(p);
    const auto place = visible(p, message_id);
    if (!place) fail(404, "message_not_found", "No such message.");

    static const strata::sql_template insert_receipt(
        "INSERT INTO read_receipts(message_id, agent_id, read_at) VALUES (?, ?, ?) "
        "ON CONFLICT (message_id, agent_id) DO NOTHING");
    static const strata::sql_template ack_deliveries(
        "UPDATE deliveries SET status = 'acked', acked_at = ?, updated_at = ? "
        "WHERE message_id = ? AND agent_id = ? AND status IN ('queued', 'delivered')");
    static const strata::sql_template move_channel_cursor(
        "UPDATE channel_members SET last_read_id = ? "
        "WHERE channel_id = ? AND agent_id = ? AND (last_read_id IS NULL OR last_read_id < ?)");
    static const strata::sql_template move_conversation_cursor(
        "UPDATE dm_participants SET last_read_id = ? "
        "WHERE conversation_id = ? AND agent_id = ? AND (last_read_id IS NULL OR last_read_id < ?)");
    const std::int64_t now = now_ms();
    std::vector<strata::plan> plans{insert_receipt.bind(message_id, p.agent_id, now),
                                    ack_deliveries.bind(now, now, message_id, p.agent_id)};
    strata::plan cursor =
        place->channel_type == 0
            ? move_channel_cursor.bind(message_id, place->channel_id, p.agent_id, message_id)
            : move_conversation_cursor.bind(message_id, place->conversation_id.value_or(""), p.agent_id, message_id);
    const bool same_database = !messages_.split();
    if (same_database) plans.push_back(std::move(cursor));
    static const strata::sql_template q("SELECT read_at FROM read_receipts WHERE message_id = ? AND agent_id = ?");
    const auto result = run_message_unit(message_id, plans, q.bind(message_id, p.agent_id));
    if (!same_database) db_.execute(std::move(cursor)).drain();
    std::optional<bool> newly_read;  // unknown when the unit's reply was lost
    if (result) newly_read = result->results.at(0).affected_rows > 0;

    std::int64_t read_at = now;
    if (newly_read != true) {  // read before (report when), or look up what landed
        read_at = messages_.primary(place->from)
                      .execute(q.bind(message_id, p.agent_id))
                      .first_as<std::int64_t>()
                      .value_or(now);
        if (!newly_read.has_value()) newly_read = read_at == now;  // this unit's own timestamp
    }
    const json data{
        {"message_id", id_text(message_id)}, {"agent_id", id_text(p.agent_id)}, {"read_at", iso8601(read_at)}};
    write_result out{200, data, {}};
    if (*newly_read) {
        json e = data;
        e["agent_name"] = p.agent_name;
        out.events.push_back({"message.read", e, audience_of(db_, *place)});
    }
    return out;
}

json engine::readers(const principal& p, std::int64_t message_id, const page_request& page) const {
    detail::require_agent_caller(p);
    const auto place = visible(p, message_id);
    if (!place) fail(404, "message_not_found", "No such message.");
    // Receipts live with the message, written on its store's primary. In the order of
    // reading (then by agent id: names live on the control plane, maybe another database).
    const detail::keyset first_read{.first_sql = "read_at",
                                    .second_sql = "agent_id",
                                    .first_column = "read_at",
                                    .second_column = "agent_id",
                                    .kinds = {detail::key_kind::integer, detail::key_kind::integer}};
    const auto request = first_read.request(page);
    const auto rows =
        detail::read_page(messages_.primary(place->from), request, [&](const auto& after, std::int64_t n) {
            return first_read.plan("SELECT agent_id, read_at FROM read_receipts WHERE message_id = ?",
                                   {strata::value{message_id}}, after, n);
        });
    json readers = json::array();
    for (const strata::row& r : rows.rows) {
        const auto agent = r.get<std::int64_t>(0);
        readers.push_back({{"agent_id", id_text(agent)},
                           {"agent_name", names_.agent_name(agent)},
                           {"read_at", iso8601(r.get<std::int64_t>(1))}});
    }
    return detail::page_json({{"message_id", id_text(message_id)}}, "readers", std::move(readers), rows);
}

}  // namespace relay
