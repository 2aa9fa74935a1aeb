// Internal: strata values <-> PostgreSQL parameters and text-format columns.
//
// Parameters: bool -> bool, integer -> int8, real -> float8, blob -> bytea (binary format),
// json -> jsonb, text and timestamps -> unknown (the server infers the type from the
// context; timestamps are sent as UTC text "... +00"), NULL -> unknown.
// Columns (text format): by type OID, see decode().
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/value.hpp"

namespace strata::postgres::detail {

namespace oid {
inline constexpr Oid unknown = 0;
inline constexpr Oid boolean = 16;
inline constexpr Oid bytea = 17;
inline constexpr Oid int8 = 20;
inline constexpr Oid int2 = 21;
inline constexpr Oid int4 = 23;
inline constexpr Oid text = 25;
inline constexpr Oid object_id = 26;
inline constexpr Oid json = 114;
inline constexpr Oid float4 = 700;
inline constexpr Oid float8 = 701;
inline constexpr Oid timestamp = 1114;
inline constexpr Oid timestamptz = 1184;
inline constexpr Oid numeric = 1700;
inline constexpr Oid jsonb = 3802;
}  // namespace oid

// The parameters of one execution, laid out for PQexecParams / PQexecPrepared. Text and
// blobs point into the plan's values (which outlive the execution); numbers, booleans and
// timestamps are printed into fixed slots. Up to 8 parameters live inside the object, more
// in one allocation.
class encoded_params {
public:
    explicit encoded_params(const std::vector<value>& params);
    encoded_params(const encoded_params&) = delete;
    encoded_params& operator=(const encoded_params&) = delete;

    [[nodiscard]] int count() const noexcept { return static_cast<int>(n_); }
    [[nodiscard]] const Oid* types() const noexcept { return types_; }
    [[nodiscard]] const char* const* values() const noexcept { return values_; }
    [[nodiscard]] const int* lengths() const noexcept { return lengths_; }
    [[nodiscard]] const int* formats() const noexcept { return formats_; }

private:
    static constexpr std::size_t inline_count = 8;
    static constexpr std::size_t slot_size = 32;  // int64, shortest double, "... +00" timestamps
    static constexpr std::size_t bytes_per_param = sizeof(const char*) + sizeof(Oid) + 2 * sizeof(int) + slot_size;

    std::size_t n_ = 0;
    std::unique_ptr<std::byte[]> heap_;
    alignas(alignof(const char*)) std::byte inline_[inline_count * bytes_per_param];
    const char** values_ = nullptr;
    Oid* types_ = nullptr;
    int* lengths_ = nullptr;
    int* formats_ = nullptr;
    char* slots_ = nullptr;
};

// The prepared-statement cache key: the SQL, a NUL, and the parameter types it was
// prepared with (so c_str() of a key is its SQL).
[[nodiscard]] std::string statement_key(std::string_view sql, const encoded_params& params);

// One text-format column value of type `type`. NULLs are handled by the caller.
[[nodiscard]] value decode(Oid type, const char* data, std::size_t length);

}  // namespace strata::postgres::detail
