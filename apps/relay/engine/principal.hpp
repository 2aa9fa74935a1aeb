// The caller, from the bearer credential: a workspace key or an agent token.
#pragma once

#include <cstdint>
#include <string>

namespace relay {

struct principal {
    enum class kind { workspace, agent };
    kind type = kind::agent;
    std::int64_t workspace_id = 0;
    std::int64_t agent_id = 0;  // 0 for a workspace key
    std::string agent_name{};
    [[nodiscard]] bool is_agent() const noexcept { return type == kind::agent; }
};

}  // namespace relay
