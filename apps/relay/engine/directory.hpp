// Control-plane rows that message JSON refers to (channel names and kinds, agent names),
// looked up by id on --db and kept in a bounded, expiring cache
// (strata::split::cached_resolver). Messages — which may live in another database —
// are joined with them in memory, never across databases. Both kinds of rows are never
// renamed, so a cached answer stays right until it expires.
#pragma once

#include <cstdint>
#include <optional>
#include <strata/split.hpp>
#include <strata/strata.hpp>
#include <string>

namespace relay::detail {

struct channel_info {
    std::int64_t id = 0;
    std::int64_t workspace_id = 0;
    std::string name;
    int channel_type = 0;  // 0 channel, 1 DM, 2 group DM
    std::optional<std::string> conversation_id{};
    std::optional<std::string> conversation_type{};  // "1:1" | "group"
};

class directory {
public:
    explicit directory(const strata::runtime& control);
    [[nodiscard]] std::optional<channel_info> channel(std::int64_t id) const;
    // "" for an agent that no longer exists.
    [[nodiscard]] std::string agent_name(std::int64_t id) const;

private:
    mutable strata::split::cached_resolver<std::int64_t, channel_info> channels_;
    mutable strata::split::cached_resolver<std::int64_t, std::string> agents_;
};

}  // namespace relay::detail
