#include "table_output.hpp"

#include <algorithm>
#include <charconv>
#include <ostream>
#include <string>

#include "display_text.hpp"

namespace strata::cli {
namespace {

struct cell {
    std::string text;
    bool right_aligned = false;
};

// Shortest text that reads back as the same double, and still looks like a real ("2.0").
std::string real_text(double d) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s = ec == std::errc{} ? std::string(buf, end) : value{d}.to_display();
    if (s.find_first_of(".eEin") == std::string::npos) s += ".0";  // "in": inf, nan
    return s;
}

cell to_cell(const value& v) {
    switch (v.kind()) {
        case value_kind::integer: return {v.to_display(), true};
        case value_kind::real: return {real_text(*v.get_if<double>()), true};
        default: return {escape_control(v.to_display()), false};
    }
}

void pad(std::ostream& out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out << ' ';
}

// Cells joined by " | ", padded to the column widths, without trailing blanks.
void write_line(std::ostream& out, const std::vector<cell>& cells, const std::vector<std::size_t>& widths) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const bool last = i + 1 == cells.size();
        const std::size_t gap = widths[i] - display_width(cells[i].text);
        if (i > 0) out << " | ";
        if (cells[i].right_aligned) pad(out, gap);
        out << cells[i].text;
        if (!cells[i].right_aligned && !last) pad(out, gap);
    }
    out << '\n';
}

}  // namespace

void write_table(std::ostream& out, const std::vector<strata::row>& rows, bool statement_returns_rows) {
    if (rows.empty()) {
        out << (statement_returns_rows ? "(0 rows)" : "OK") << '\n';
        return;
    }
    const row_shape& shape = rows.front().shape();
    std::vector<cell> header;
    std::vector<std::size_t> widths;
    for (const column_info& c : shape.columns()) {
        header.push_back({escape_control(c.name), false});
        widths.push_back(display_width(header.back().text));
    }
    std::vector<std::vector<cell>> body;
    body.reserve(rows.size());
    for (const row& r : rows) {
        std::vector<cell>& line = body.emplace_back();
        for (std::size_t i = 0; i < r.size(); ++i) {
            line.push_back(to_cell(r.at(i)));
            widths[i] = std::max(widths[i], display_width(line.back().text));
        }
    }
    write_line(out, header, widths);
    for (std::size_t i = 0; i < widths.size(); ++i) {
        if (i > 0) out << "-+-";
        out << std::string(widths[i], '-');
    }
    out << '\n';
    for (const auto& line : body) write_line(out, line, widths);
    out << '(' << rows.size() << (rows.size() == 1 ? " row)" : " rows)") << '\n';
}

}  // namespace strata::cli
