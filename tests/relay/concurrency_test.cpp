// 32 agents sending at once: every message gets exactly one delivery per other member,
// and every agent's delivery sequence is 1..n without gaps or repeats.
#include <thread>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {

RELAY_TEST_SUITE(concurrency);

TEST_P(concurrency, thirty_two_concurrent_senders) {
    constexpr int senders = 32;
    constexpr int per_sender = 4;
    const workspace_info ws = make_workspace();
    std::vector<agent_info> agents;
    for (int i = 0; i < senders; ++i) agents.push_back(make_agent(ws, "agent" + std::to_string(i)));

    std::vector<std::thread> threads;
    std::vector<int> failures(senders, 0);
    for (int i = 0; i < senders; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < per_sender; ++k) {
                // Mostly the shared channel; every fourth message a DM to the next agent.
                const response r =
                    k == 3 ? http().post("/v1/dm", {{"to", agents[(i + 1) % senders].name}, {"text", "dm"}},
                                         agents[i].token)
                           : http().post("/v1/channels/general/messages",
                                         {{"text", "m" + std::to_string(k) + " @" + agents[(i + 5) % senders].name}},
                                         agents[i].token);
                if (r.status != 201u) ++failures[i];
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < senders; ++i) EXPECT_EQ(failures[i], 0) << "sender " << i;

    const std::int64_t channel_messages = senders * (per_sender - 1);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), senders * per_sender);
    // Exactly one delivery per other member, none to the sender.
    const std::string general = std::to_string(scalar("SELECT id FROM channels WHERE name = 'general'"));
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.message_id "
                     "WHERE m.channel_id = " +
                     general),
              channel_messages * (senders - 1));
    EXPECT_EQ(
        scalar(
            "SELECT COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.agent_id = m.agent_id"),
        0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM (SELECT message_id FROM deliveries GROUP BY message_id "
                     "HAVING COUNT(*) <> COUNT(DISTINCT agent_id)) x"),
              0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM deliveries WHERE reason = 'dm'"), senders);
    // Gapless per agent: the seqs of each agent are exactly 1..count.
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM (SELECT agent_id FROM deliveries GROUP BY agent_id "
                     "HAVING MIN(seq) <> 1 OR MAX(seq) <> COUNT(*) OR COUNT(DISTINCT seq) <> COUNT(*)) x"),
              0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM " + delivery_seq_table() +
                     " WHERE a.delivery_seq <> (SELECT COUNT(*) FROM deliveries d WHERE d.agent_id = a.id)"),
              0);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM message_logs"), senders * per_sender);
}

}  // namespace
}  // namespace relay::test
