#include "strata/codec.hpp"

#include "strata/error.hpp"

namespace strata::detail {

void throw_codec_failure(std::string_view expected, const value& got) {
    throw codec_failure{"expected " + std::string(expected) + ", got " + std::string(to_string(got.kind())) +
                        (got.is_null() ? " (use std::optional<T> for nullable columns)" : "")};
}

void throw_codec_range(std::string_view type_name, std::int64_t got) {
    throw codec_failure{"integer " + std::to_string(got) + " does not fit the target " + std::string(type_name) +
                        " type"};
}

void throw_param_encode(std::size_t index, const codec_failure& f) {
    throw error(std::string(codes::runtime_invalid_argument),
                "Parameter " + std::to_string(index) + " cannot be encoded: " + f.reason +
                    ". Pass a value the column's SQL type can hold.",
                {{"parameter", std::to_string(index)}});
}

}  // namespace strata::detail
