#include "engine/message_store.hpp"

#include <algorithm>
#include <map>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/ids.hpp"
#include "engine/message_reads.hpp"

namespace relay::detail {

const std::string& message_columns() {
    static const std::string cols =
        "m.id, m.workspace_id, m.channel_id, m.agent_id, m.thread_id, m.body, m.mentions, m.metadata, "
        "m.has_attachments, m.created_at";
    return cols;
}

message_record message_from(const strata::row& r, residency from) {
    return {r.get<std::int64_t>(0),
            r.get<std::int64_t>(1),
            r.get<std::int64_t>(2),
            r.get<std::int64_t>(3),
            r.get<std::optional<std::int64_t>>(4),
            r.get<std::string>(5),
            r.get<std::string>(6),
            r.get<std::optional<std::string>>(7),
            r.get<std::int64_t>(8) != 0,
            r.get<std::int64_t>(9),
            from};
}

json message_json(const message_record& m, const directory& names) {
    const auto channel = names.channel(m.channel_id);
    json out;
    out["id"] = id_text(m.id);
    out["channel"] = channel && channel->channel_type == 0 ? json(channel->name) : json(nullptr);
    out["conversation_id"] = channel ? nullable(channel->conversation_id) : json(nullptr);
    out["agent_id"] = id_text(m.agent_id);
    out["agent_name"] = names.agent_name(m.agent_id);
    out["text"] = m.body;
    out["thread_id"] = m.thread_id ? json(id_text(*m.thread_id)) : json(nullptr);
    out["mentions"] = json::parse(m.mentions, nullptr, false);
    if (out["mentions"].is_discarded()) out["mentions"] = json::array();
    out["attachments"] = json::array();
    out["metadata"] = m.metadata ? json::parse(*m.metadata, nullptr, false) : json(nullptr);
    if (out["metadata"].is_discarded()) out["metadata"] = nullptr;
    out["created_at"] = iso8601(m.created_at);
    return out;
}

std::string values_rows(std::size_t n, std::size_t k, std::string_view sql_type) {
    std::string row = "(";
    for (std::size_t j = 0; j < k; ++j) row += (j == 0 ? "CAST(? AS " : ", CAST(? AS ") + std::string(sql_type) + ")";
    row += ")";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ", ") + row;
    return out;
}

message_store::message_store(const stores& s, const directory& names) : topology_(s.topology()), names_(names) {}

read_consistency message_store::consistency() const noexcept {
    return split() ? read_consistency::replica_ok : read_consistency::primary_required;
}

std::vector<message_db> message_store::primaries() const {
    if (!split()) return {{residency::legacy, &primary(residency::legacy)}};
    return {{residency::fresh, &primary(residency::fresh)}, {residency::legacy, &primary(residency::legacy)}};
}

std::optional<message_record> message_store::find(std::int64_t id) const {
    static const strata::sql_template q("SELECT " + message_columns() + " FROM messages m WHERE m.id = ?");
    auto found = topology_.read_by_id(id, q.bind(id), consistency());
    if (!found) return std::nullopt;
    return message_from(found->value, found->from);
}

std::vector<json> message_store::to_json(const std::vector<message_record>& records, bool with_counts) const {
    std::vector<json> out;
    out.reserve(records.size());
    for (const auto& m : records) out.push_back(message_json(m, names_));
    add_attachments(out, records);
    if (with_counts) add_counts(out, records);
    return out;
}

void message_store::add_attachments(std::vector<json>& out, const std::vector<message_record>& records) const {
    // Attachment rows live with their message; the files they name on the control plane.
    std::map<residency, std::vector<strata::value>> ids_by_store;
    std::map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (!records[i].has_attachments) continue;
        index[records[i].id] = i;
        ids_by_store[records[i].from].emplace_back(records[i].id);
    }
    if (index.empty()) return;
    std::vector<std::pair<std::int64_t, std::int64_t>> links;  // (message, file) in position order
    for (auto& [where, ids] : ids_by_store) {
        const std::string text = "SELECT message_id, file_id FROM message_attachments WHERE message_id IN (" +
                                 placeholders(ids.size()) + ") ORDER BY message_id, position";
        const auto& db = topology_.reader(where, consistency());
        for (const strata::row& r : db.read(strata::sql_plan(text, std::move(ids))))
            links.emplace_back(r.get<std::int64_t>(0), r.get<std::int64_t>(1));
    }
    if (links.empty()) return;
    std::vector<strata::value> file_ids;
    for (const auto& l : links) file_ids.emplace_back(l.second);
    std::map<std::int64_t, json> files;
    const std::string text =
        "SELECT id, filename, content_type, size_bytes FROM files WHERE id IN (" + placeholders(file_ids.size()) + ")";
    for (const strata::row& r : primary(residency::legacy).execute(strata::sql_plan(text, std::move(file_ids))))
        files[r.get<std::int64_t>(0)] = {{"id", id_text(r.get<std::int64_t>(0))},
                                         {"filename", r.get<std::string>(1)},
                                         {"content_type", r.get<std::string>(2)},
                                         {"size_bytes", r.get<std::int64_t>(3)}};
    for (const auto& [message, file] : links) {
        auto it = files.find(file);
        if (it != files.end()) out[index.at(message)]["attachments"].push_back(it->second);
    }
}

void message_store::add_counts(std::vector<json>& out, const std::vector<message_record>& records) const {
    if (records.empty()) return;
    std::map<std::int64_t, std::size_t> index;
    std::map<residency, std::vector<strata::value>> by_owner;
    for (std::size_t i = 0; i < records.size(); ++i) {
        index[records[i].id] = i;
        by_owner[owner(records[i].id)].emplace_back(records[i].id);
        out[i]["reply_count"] = 0;
        out[i]["read_by_count"] = 0;
    }
    auto add = [&](strata::result_stream rows, const char* field) {
        for (const strata::row& r : rows) {
            auto& n = out[index.at(r.get<std::int64_t>(0))][field];
            n = n.get<std::int64_t>() + r.get<std::int64_t>(1);
        }
    };
    for (auto& [where, ids] : by_owner) {
        const std::string in = "(" + placeholders(ids.size()) + ")";
        // Replies are minted new, so a new message's replies are all in the new store; an
        // old message's are in either.
        const std::string replies =
            "SELECT thread_id, COUNT(*) FROM messages WHERE thread_id IN " + in + " GROUP BY thread_id";
        if (where == residency::fresh)
            add(topology_.reader(residency::fresh, consistency()).read(strata::sql_plan(replies, ids)), "reply_count");
        else
            for (const auto& s : topology_.list_stores(consistency()))
                add(s.where->read(strata::sql_plan(replies, ids)), "reply_count");
        // Receipts live with their message and change on its primary: read there.
        add(primary(where).execute(strata::sql_plan(
                "SELECT message_id, COUNT(*) FROM read_receipts WHERE message_id IN " + in + " GROUP BY message_id",
                std::move(ids))),
            "read_by_count");
    }
}

std::map<std::int64_t, message_store::channel_activity> message_store::activity(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& cursors, std::int64_t reader, bool top_level_only,
    bool newest) const {
    std::map<std::int64_t, channel_activity> out;
    // The cursors travel as a VALUES list (column1 = channel, column2 = last read id): no
    // join with the control plane's tables, which may be in another database. An agent in
    // many conversations must not make one statement with more parameters than a
    // database takes, so the list goes in chunks (ids_per_statement); each channel is in
    // one chunk, so the counts just add up.
    constexpr std::size_t chunk = ids_per_statement;
    const std::string top_level = top_level_only ? " AND m.thread_id IS NULL" : "";
    for (std::size_t first = 0; first < cursors.size(); first += chunk) {
        const std::size_t n = std::min(chunk, cursors.size() - first);
        std::vector<strata::value> params;
        params.reserve(2 * n + 1);
        if (newest) params.emplace_back(reader);
        for (std::size_t i = first; i < first + n; ++i) {
            params.emplace_back(cursors[i].first);
            params.emplace_back(cursors[i].second);
        }
        const std::string cursor_rows = "(VALUES " + values_rows(n, 2, "BIGINT") + ") r";
        std::string text;
        if (newest) {  // every message of the channel, for its newest
            text = "SELECT m.channel_id, SUM(CASE WHEN m.id > r.column2 AND m.agent_id <> ? THEN 1 ELSE 0 END), "
                   "MAX(m.id) FROM messages m JOIN " +
                   cursor_rows + " ON r.column1 = m.channel_id" + top_level + " GROUP BY m.channel_id";
        } else {  // only the messages after each cursor
            params.emplace_back(reader);
            text = "SELECT m.channel_id, COUNT(*), 0 FROM messages m JOIN " + cursor_rows +
                   " ON r.column1 = m.channel_id AND m.id > r.column2 AND m.agent_id <> ?" + top_level +
                   " GROUP BY m.channel_id";
        }
        const strata::plan plan = strata::sql_plan(text, std::move(params));
        for (const auto& s : topology_.list_stores(consistency()))
            for (const strata::row& r : s.where->read(plan)) {
                channel_activity& a = out[r.get<std::int64_t>(0)];
                a.unread += r.get<std::int64_t>(1);
                a.newest = std::max(a.newest, r.get<std::int64_t>(2));
            }
    }
    return out;
}

strata::split::key message_store::cursor_key(std::int64_t message_id) const {
    const auto m = find(message_id);
    if (!m) fail(400, "invalid_cursor", "No message " + id_text(message_id) + " to page from.");
    return {strata::value{m->created_at}, strata::value{m->id}};
}

namespace {

// A keyset query over messages: `filter` (with its parameters), rows strictly past `from`
// in the list's direction (and, newest first, newer than `floor`), ordered by
// (created_at, id).
strata::plan keyset_plan(const std::string& filter, std::vector<strata::value> params, bool oldest_first,
                         const std::optional<strata::split::key>& from, const std::optional<strata::split::key>& floor,
                         std::int64_t limit) {
    std::string text = "SELECT " + message_columns() + " FROM messages m WHERE " + filter;
    if (from) {
        text += oldest_first ? " AND (m.created_at, m.id) > (?, ?)" : " AND (m.created_at, m.id) < (?, ?)";
        params.push_back(from->created_at);
        params.push_back(from->id);
    }
    if (floor) {
        text += " AND (m.created_at, m.id) > (?, ?)";
        params.push_back(floor->created_at);
        params.push_back(floor->id);
    }
    text += oldest_first ? " ORDER BY m.created_at ASC, m.id ASC LIMIT ?"
                         : " ORDER BY m.created_at DESC, m.id DESC LIMIT ?";
    params.emplace_back(limit);
    return strata::sql_plan(std::move(text), std::move(params));
}

std::vector<message_record> records_of(const strata::split::page& p) {
    std::vector<message_record> out;
    out.reserve(p.rows.size());
    for (std::size_t i = 0; i < p.rows.size(); ++i) out.push_back(message_from(p.rows[i], p.from[i]));
    return out;
}

}  // namespace

json message_store::channel_page(std::int64_t channel_id, const page_query& q) const {
    std::optional<strata::split::key> before, after;
    if (q.before) before = cursor_key(*q.before);
    if (q.after) after = cursor_key(*q.after);
    const bool forward = after && !before;  // paging towards newer messages
    strata::split::list_request request;
    request.order = forward ? strata::split::direction::oldest_first : strata::split::direction::newest_first;
    request.limit = q.limit;
    request.after = forward ? after : before;
    const std::optional<strata::split::key> floor = forward ? std::nullopt : after;
    const auto page = strata::split::list(
        topology_, request,
        [&](const std::optional<strata::split::key>& from, std::int64_t limit) {
            return keyset_plan("m.channel_id = ? AND m.thread_id IS NULL", {strata::value{channel_id}}, forward, from,
                               floor, limit);
        },
        consistency());
    std::vector<json> messages = to_json(records_of(page), true);
    // The cursor continues in the direction asked: older (before=) or newer (after=).
    json next_cursor = nullptr;
    if (page.has_more && !messages.empty()) next_cursor = messages.back()["id"];
    if (forward) std::reverse(messages.begin(), messages.end());  // newest first, always
    return {{"messages", messages}, {"next_cursor", next_cursor}, {"has_more", page.has_more}};
}

std::pair<std::vector<message_record>, strata::split::page> message_store::thread(
    std::int64_t root, int limit, const std::optional<strata::split::key>& after) const {
    strata::split::list_request request;
    request.order = strata::split::direction::oldest_first;
    request.limit = limit;
    request.after = after;
    auto page = strata::split::list(
        topology_, request,
        [&](const std::optional<strata::split::key>& from, std::int64_t n) {
            return keyset_plan("m.thread_id = ?", {strata::value{root}}, true, from, std::nullopt, n);
        },
        consistency());
    auto records = records_of(page);
    return {std::move(records), std::move(page)};
}

}  // namespace relay::detail
