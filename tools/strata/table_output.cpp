// The table format (row_writer.hpp):
//
//   id | name
//   ---+-----
//    1 | ann
//   (1 row)
//
// Numbers are right-aligned, NULL prints as NULL, control characters are escaped so a
// row stays on one line.
#include <algorithm>
#include <charconv>
#include <ostream>
#include <string>
#include <vector>

#include "display_text.hpp"
#include "row_writer.hpp"

namespace strata::cli {
namespace {

// Rows held back to size the columns; later rows print at once with those widths.
constexpr std::size_t measured_rows = 1000;

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
        const std::size_t width = display_width(cells[i].text);
        const std::size_t gap = widths[i] > width ? widths[i] - width : 0;
        if (i > 0) out << " | ";
        if (cells[i].right_aligned) pad(out, gap);
        out << cells[i].text;
        if (!cells[i].right_aligned && !last) pad(out, gap);
    }
    out << '\n';
}

class table_writer final : public row_writer {
public:
    explicit table_writer(std::ostream& out) : out_(out) {}

    void write(const row& r) override {
        if (rows_++ == 0) {
            for (const column_info& c : r.shape().columns()) {
                header_.push_back({escape_control(c.name), false});
                widths_.push_back(display_width(header_.back().text));
            }
        }
        std::vector<cell> line;
        line.reserve(r.size());
        for (std::size_t i = 0; i < r.size(); ++i) line.push_back(to_cell(r.at(i)));
        if (header_written_) {
            write_line(out_, line, widths_);
            return;
        }
        for (std::size_t i = 0; i < line.size(); ++i) widths_[i] = std::max(widths_[i], display_width(line[i].text));
        held_.push_back(std::move(line));
        if (held_.size() == measured_rows) write_held();
    }

    void finish(bool statement_returns_rows) override {
        if (rows_ == 0) {
            out_ << (statement_returns_rows ? "(0 rows)" : "OK") << '\n';
            return;
        }
        write_held();
        out_ << '(' << rows_ << (rows_ == 1 ? " row)" : " rows)") << '\n';
    }

private:
    void write_held() {
        if (!header_written_) {
            write_line(out_, header_, widths_);
            for (std::size_t i = 0; i < widths_.size(); ++i) {
                if (i > 0) out_ << "-+-";
                out_ << std::string(widths_[i], '-');
            }
            out_ << '\n';
            header_written_ = true;
        }
        for (const auto& line : held_) write_line(out_, line, widths_);
        held_.clear();
        held_.shrink_to_fit();
    }

    std::ostream& out_;
    std::vector<cell> header_;
    std::vector<std::size_t> widths_;
    std::vector<std::vector<cell>> held_;
    bool header_written_ = false;
    std::size_t rows_ = 0;
};

}  // namespace

std::unique_ptr<row_writer> make_table_writer(std::ostream& out) {
    return std::make_unique<table_writer>(out);
}

}  // namespace strata::cli
