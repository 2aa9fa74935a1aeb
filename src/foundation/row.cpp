#include "strata/row.hpp"

#include "value_buffers.hpp"

namespace strata {

std::size_t row_shape::find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i].name == name) return i;
    }
    return npos;
}

void row::give_back_values() noexcept { detail::row_buffers::give(std::move(values_)); }

const value& row::at(std::size_t i) const {
    if (i >= values_.size()) detail::throw_column_index(*shape_, i);
    return values_[i];
}

const value& row::at(std::string_view name) const {
    std::size_t i = shape_->find(name);
    if (i == row_shape::npos) detail::throw_column_not_found(*shape_, name);
    return values_[i];
}

namespace detail {

std::vector<value> take_row_buffer() noexcept { return row_buffers::take(); }

namespace {
std::string column_list(const row_shape& shape) {
    std::string out;
    for (const auto& c : shape.columns()) {
        if (!out.empty()) out += ", ";
        out += c.name;
    }
    return out;
}
}  // namespace

void throw_decode_failed(const row_shape& shape, std::size_t index, std::string_view codec_name,
                         std::string_view reason) {
    const column_info& c = shape[index];
    const std::string where = (c.table.empty() ? std::string() : c.table + ".") + c.name;
    throw error(std::string(codes::runtime_decode_failed),
                "Cannot decode column " + where + " with the " + std::string(codec_name) + " codec: " +
                    std::string(reason) + ". Change the C++ type you decode into, or the column's type.",
                {{"table", c.table}, {"column", c.name}, {"codec", std::string(codec_name)},
                 {"index", std::to_string(index)}});
}

void throw_column_not_found(const row_shape& shape, std::string_view name) {
    throw error(std::string(codes::runtime_column_not_found),
                "No column named '" + std::string(name) + "' in this result. Columns: " + column_list(shape) + ".",
                {{"column", std::string(name)}});
}

void throw_column_index(const row_shape& shape, std::size_t index) {
    throw error(std::string(codes::runtime_column_not_found),
                "Column index " + std::to_string(index) + " is out of range: the result has " +
                    std::to_string(shape.size()) + " columns.",
                {{"index", std::to_string(index)}});
}

void throw_tuple_arity(const row_shape& shape, std::size_t wanted) {
    throw error(std::string(codes::runtime_decode_failed),
                "Cannot decode a row of " + std::to_string(shape.size()) + " columns (" + column_list(shape) +
                    ") into " + std::to_string(wanted) + " values. Select exactly the columns you decode.",
                {{"columns", std::to_string(shape.size())}, {"wanted", std::to_string(wanted)}});
}

}  // namespace detail
}  // namespace strata
