#include "engine/directory.hpp"

namespace relay::detail {

directory::directory(const strata::runtime& control)
    : channels_(
          [&control](const std::int64_t& id) -> std::optional<channel_info> {
              static const strata::sql_template q(
                  "SELECT c.id, c.workspace_id, c.name, c.channel_type, dc.id, dc.dm_type FROM channels c "
                  "LEFT JOIN dm_conversations dc ON dc.channel_id = c.id WHERE c.id = ?");
              auto r = control.execute(q.bind(id)).first();
              if (!r) return std::nullopt;
              return channel_info{r->get<std::int64_t>(0),
                                  r->get<std::int64_t>(1),
                                  r->get<std::string>(2),
                                  r->get<int>(3),
                                  r->get<std::optional<std::string>>(4),
                                  r->get<std::optional<std::string>>(5)};
          },
          {.capacity = 20000, .value_ttl = std::chrono::minutes(5), .absence_ttl = std::chrono::seconds(1)}),
      agents_(
          [&control](const std::int64_t& id) -> std::optional<std::string> {
              static const strata::sql_template q("SELECT name FROM agents WHERE id = ?");
              return control.execute(q.bind(id)).first_as<std::string>();
          },
          {.capacity = 50000, .value_ttl = std::chrono::minutes(5), .absence_ttl = std::chrono::seconds(1)}) {}

std::optional<channel_info> directory::channel(std::int64_t id) const {
    return channels_.resolve(id);
}

std::string directory::agent_name(std::int64_t id) const {
    return agents_.resolve(id).value_or("");
}

}  // namespace relay::detail
