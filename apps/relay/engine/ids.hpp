// Snowflake ids minted by the application: milliseconds since 2025-01-01 in the high
// bits, the instance's node id (10 bits, leased from the database: db/node_lease.hpp, so
// no two instances on one database share it), and a sequence within the millisecond. Ids increase
// with time in one process, so `ORDER BY id` is creation order, and plans of an atomic
// unit never need a value the database generated.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace relay {

class id_generator {
public:
    // `node` is 0..1023.
    explicit id_generator(int node);
    [[nodiscard]] std::int64_t next();

private:
    std::mutex mutex_;
    std::int64_t last_ms_ = 0;
    std::int64_t sequence_ = 0;
    std::int64_t worker_ = 0;
};

// Decimal text (how ids travel in JSON) and back; nullopt for anything but a positive id.
[[nodiscard]] std::string id_text(std::int64_t id);
[[nodiscard]] std::optional<std::int64_t> parse_id(std::string_view text);

}  // namespace relay
