// Every list of the API pages one way: `?limit=N` and `?cursor=` the previous page's
// `next_cursor`; a page is `{<items>, next_cursor, has_more}` (decision 0018). Walking a
// list page by page returns every item exactly once and in the list's order — also when
// items are added during the walk (keyset paging: an item added before the position
// already read is not shown, one added after it is, and nothing repeats).
#include <algorithm>
#include <functional>
#include <set>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

// One list of the API: where it is, who reads it, what identifies an item, the items it
// holds (read from the database, in the list's documented order), and a way to add
// items while it is walked, which returns the added items the rest of the walk must show.
struct list_case {
    std::string path;
    std::string items;
    std::string token;
    std::function<std::string(const json&)> key;
    std::function<std::vector<std::string>()> expected;
    std::function<std::vector<std::string>()> insert;
};

std::string by_id(const json& item) {
    return item["id"].get<std::string>();
}
std::string by_name(const json& item) {
    return item["name"].get<std::string>();
}
std::string by_agent_id(const json& item) {
    return item["agent_id"].get<std::string>();
}

// Names in bytewise order: the order every name-ordered list has on both databases,
// whatever the PostgreSQL cluster's collation.
std::vector<std::string> bytewise(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
}

class paging : public relay_test {
protected:
    struct walked {
        std::vector<std::string> keys;
        bool ended = false;
    };

    // Follows next_cursor until has_more is false; after the first page, runs `between`.
    walked walk(const list_case& l, int limit, const std::function<void()>& between = {}) {
        walked out;
        std::string cursor;
        for (int page = 0; page < 100; ++page) {
            std::string target = l.path + (l.path.find('?') == std::string::npos ? "?" : "&");
            target += "limit=" + std::to_string(limit);
            if (!cursor.empty()) target += "&cursor=" + cursor;
            const response r = http().get(target, l.token);
            if (r.status != 200u) {
                ADD_FAILURE() << target << " -> " << r.status << ' ' << r.body;
                return out;
            }
            const json d = r.data();
            if (!d.contains(l.items) || !d.contains("next_cursor") || !d.contains("has_more")) {
                ADD_FAILURE() << target << ": a page is {" << l.items << ", next_cursor, has_more}: " << r.body;
                return out;
            }
            const json& items = d[l.items];
            EXPECT_LE(items.size(), static_cast<std::size_t>(limit)) << target;
            for (const json& item : items) out.keys.push_back(l.key(item));
            if (page == 0 && between) between();
            if (!d["has_more"].get<bool>()) {
                EXPECT_TRUE(d["next_cursor"].is_null()) << target << ": " << r.body;
                out.ended = true;
                return out;
            }
            EXPECT_EQ(items.size(), static_cast<std::size_t>(limit)) << target << ": a page short of more";
            if (!d["next_cursor"].is_string()) {
                ADD_FAILURE() << target << ": has_more without a next_cursor: " << r.body;
                return out;
            }
            cursor = d["next_cursor"].get<std::string>();
        }
        ADD_FAILURE() << l.path << ": the walk did not end";
        return out;
    }

    // One text column of a query; message-side tables are read where relay wrote them.
    [[nodiscard]] std::vector<std::string> column(const std::string& sql, bool message_side) const {
        const strata::runtime& where = message_side && split_mode() ? app_->databases().messages()->rt() : db();
        std::vector<std::string> out;
        for (const strata::row& r : where.execute(strata::sql(sql))) {
            const strata::value& v = r.values().at(0);
            out.push_back(v.kind() == strata::value_kind::integer ? std::to_string(*v.get_if<std::int64_t>())
                                                                  : *v.get_if<std::string>());
        }
        return out;
    }

    // A workspace with something in every list, and the lists.
    std::vector<list_case> every_list() {
        ws_ = make_workspace();
        alice_ = make_agent(ws_, "alice");
        bob_ = make_agent(ws_, "bob");
        agent_info carol = make_agent(ws_, "carol");
        agent_info dave = make_agent(ws_, "Dave");
        agent_info eve = make_agent(ws_, "eve-x");
        agent_info eve2 = make_agent(ws_, "eve_x");
        for (const char* name : {"b-chan", "a_chan", "a-chan", "c9"}) make_channel(alice_, name);

        std::vector<std::string> needles;
        for (int i = 0; i < 5; ++i)
            needles.push_back(send(i % 2 == 0 ? alice_ : bob_, "general", "needle " + std::to_string(i))["id"]);
        const std::string root = needles.front();
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ(http()
                          .post("/v1/messages/" + root + "/replies", {{"text", "reply " + std::to_string(i)}},
                                i % 2 == 0 ? bob_.token : carol.token)
                          .status,
                      201u);
        for (const agent_info* a : {&alice_, &bob_, &carol, &dave, &eve})
            EXPECT_EQ(http().post("/v1/messages/" + root + "/read", nullptr, a->token).status, 200u);
        for (int i = 0; i < 4; ++i)
            for (const char* to : {"bob", "carol", "Dave"})
                EXPECT_EQ(
                    http().post("/v1/dm", {{"to", to}, {"text", "psst " + std::to_string(i)}}, alice_.token).status,
                    201u);
        EXPECT_EQ(http().post("/v1/dm/group", {{"participants", {"bob", "carol"}}}, alice_.token).status, 201u);
        EXPECT_EQ(http().post("/v1/dm/group", {{"participants", {"Dave", "eve-x"}}}, alice_.token).status, 201u);
        const response dm = http().post("/v1/dm", {{"to", "bob"}, {"text", "psst again"}}, alice_.token);
        const std::string conversation = dm.data()["conversation_id"];

        const std::string ws = ws_.id;
        const std::string general =
            std::to_string(scalar("SELECT id FROM channels WHERE workspace_id = " + ws + " AND name = 'general'"));
        const std::string dm_channel =
            std::to_string(scalar("SELECT channel_id FROM dm_conversations WHERE id = '" + conversation + "'"));
        auto post = [this](const agent_info& a, const std::string& channel, const std::string& text) {
            return send(a, channel, text)["id"].get<std::string>();
        };
        return {
            {"/v1/agents", "agents", ws_.key, by_name,
             [=, this] { return bytewise(column("SELECT name FROM agents WHERE workspace_id = " + ws, false)); },
             [=, this] {
                 (void)make_agent(ws_, fresh("Aa"));  // before the first page's names: not shown
                 return std::vector<std::string>{make_agent(ws_, fresh("zz")).name};
             }},
            {"/v1/channels", "channels", alice_.token, by_name,
             [=, this] {
                 return bytewise(
                     column("SELECT name FROM channels WHERE channel_type = 0 AND workspace_id = " + ws, false));
             },
             [=, this] {
                 make_channel(alice_, fresh("0-"));  // sorts first: not shown
                 const std::string last = fresh("zz");
                 make_channel(bob_, last);
                 return std::vector<std::string>{last};
             }},
            {"/v1/channels/general/members", "members", bob_.token, by_name,
             [=, this] {
                 return bytewise(
                     column("SELECT a.name FROM channel_members cm JOIN agents a ON a.id = cm.agent_id "
                            "WHERE cm.channel_id = " +
                                general,
                            false));
             },
             [=, this] {
                 (void)make_agent(ws_, fresh("Ab"));  // agents join general
                 return std::vector<std::string>{make_agent(ws_, fresh("zzz")).name};
             }},
            {"/v1/dm/conversations", "conversations", alice_.token, by_id,
             [=, this] {
                 return column(
                     "SELECT d.id FROM dm_conversations d JOIN dm_participants p ON p.conversation_id = d.id "
                     "WHERE p.agent_id = " +
                         alice_.id + " ORDER BY d.created_at DESC, d.id DESC",
                     false);
             },
             [=, this] {  // newest first: a new conversation comes before the position read
                 EXPECT_EQ(http().post("/v1/dm", {{"to", "eve_x"}, {"text", "new"}}, alice_.token).status, 201u);
                 return std::vector<std::string>{};
             }},
            {"/v1/messages/" + root + "/replies", "replies", carol.token, by_id,
             [=, this] {
                 return column("SELECT id FROM messages WHERE thread_id = " + root + " ORDER BY created_at, id", true);
             },
             [=, this] {  // oldest first: a new reply comes last
                 const response r = http().post("/v1/messages/" + root + "/replies", {{"text", "late"}}, carol.token);
                 return std::vector<std::string>{r.data()["id"].get<std::string>()};
             }},
            {"/v1/messages/" + root + "/readers", "readers", alice_.token, by_agent_id,
             [=, this] {
                 return column(
                     "SELECT agent_id FROM read_receipts WHERE message_id = " + root + " ORDER BY read_at, agent_id",
                     true);
             },
             [=, this] {
                 EXPECT_EQ(http().post("/v1/messages/" + root + "/read", nullptr, eve2.token).status, 200u);
                 return std::vector<std::string>{eve2.id};
             }},
            {"/v1/search?q=needle", "results", alice_.token, by_id,
             [=, this] {
                 return column("SELECT id FROM messages WHERE body LIKE 'needle%' ORDER BY created_at DESC, id DESC",
                               true);
             },
             [=, this] {  // newest first
                 (void)post(bob_, "general", "needle late");
                 return std::vector<std::string>{};
             }},
            {"/v1/console/logs", "logs", ws_.key, by_id,
             [=, this] {
                 return column(
                     "SELECT id FROM message_logs WHERE workspace_id = " + ws + " ORDER BY created_at DESC, id DESC",
                     true);
             },
             [=, this] {
                 (void)post(alice_, "c9", "logged late");
                 return std::vector<std::string>{};
             }},
            {"/v1/deliveries?status=all", "deliveries", bob_.token, by_id,
             [=, this] {
                 return column("SELECT id FROM deliveries WHERE agent_id = " + bob_.id + " ORDER BY seq", true);
             },
             [=, this] {  // by sequence: a new delivery comes last
                 const std::string id = post(alice_, "general", "for bob");
                 return std::vector<std::string>{"del_" + id + "_" + bob_.id};
             }},
            {"/v1/channels/general/messages", "messages", alice_.token, by_id,
             [=, this] {
                 return column("SELECT id FROM messages WHERE thread_id IS NULL AND channel_id = " + general +
                                   " ORDER BY created_at DESC, id DESC",
                               true);
             },
             [=, this] {
                 (void)post(bob_, "general", "late");
                 return std::vector<std::string>{};
             }},
            {"/v1/dm/" + conversation + "/messages", "messages", bob_.token, by_id,
             [=, this] {
                 return column(
                     "SELECT id FROM messages WHERE channel_id = " + dm_channel + " ORDER BY created_at DESC, id DESC",
                     true);
             },
             [=, this] {
                 EXPECT_EQ(http().post("/v1/dm", {{"to", "alice"}, {"text", "late"}}, bob_.token).status, 201u);
                 return std::vector<std::string>{};
             }},
        };
    }

    // A name not used before.
    std::string fresh(const std::string& prefix) { return prefix + std::to_string(added_++); }

    int added_ = 0;
    workspace_info ws_;
    agent_info alice_;
    agent_info bob_;
};

INSTANTIATE_TEST_SUITE_P(db, paging, RELAY_BACKENDS, backend_name);

std::string joined(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : " ") + k;
    return out;
}

TEST_P(paging, every_list_walked_in_pages_shows_each_item_once_in_order) {
    for (const list_case& l : every_list()) {
        SCOPED_TRACE(l.path);
        const std::vector<std::string> expected = l.expected();
        ASSERT_GE(expected.size(), 5u) << "the setup gives every list more than two pages";
        for (int limit : {1, 2, 3}) {
            const walked w = walk(l, limit);
            EXPECT_TRUE(w.ended);
            EXPECT_EQ(joined(w.keys), joined(expected)) << "limit " << limit;
        }
        // One page holds them all: no cursor, no more.
        const walked one = walk(l, 100);
        EXPECT_EQ(joined(one.keys), joined(expected));
    }
}

TEST_P(paging, items_added_during_a_walk_neither_repeat_nor_displace_others) {
    for (const list_case& l : every_list()) {
        SCOPED_TRACE(l.path);
        std::vector<std::string> expected = l.expected();
        std::vector<std::string> shown;
        const walked w = walk(l, 2, [&] { shown = l.insert(); });
        EXPECT_TRUE(w.ended);
        // The items there before, each once and in order, then those added after the
        // position already read (every list's additions sort after it, or before the start).
        expected.insert(expected.end(), shown.begin(), shown.end());
        EXPECT_EQ(joined(w.keys), joined(expected));
        EXPECT_EQ(std::set<std::string>(w.keys.begin(), w.keys.end()).size(), w.keys.size()) << "an item repeated";
    }
}

}  // namespace
}  // namespace relay::test
