// The csv format (row_writer.hpp): RFC 4180.
#include <charconv>
#include <ostream>
#include <string>
#include <string_view>

#include "machine_text.hpp"
#include "row_writer.hpp"

namespace strata::cli {
namespace {

// A field is quoted when it must be (a comma, quote, CR or LF), or when it is the empty
// string (so that it differs from NULL, an empty unquoted field).
void write_field(std::ostream& out, std::string_view text) {
    if (!text.empty() && text.find_first_of(",\"\r\n") == std::string_view::npos) {
        out << text;
        return;
    }
    out << '"';
    for (char c : text) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

// Shortest text that reads back as the same double.
std::string real_text(double d) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc{} ? std::string(buf, end) : value{d}.to_display();
}

class csv_writer final : public row_writer {
public:
    csv_writer(std::ostream& out, bool integers_as_strings) : out_(out), integers_as_strings_(integers_as_strings) {}

    void write(const row& r) override {
        if (!header_written_) {
            const auto names = unique_column_names(r.shape());
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (i > 0) out_ << ',';
                write_field(out_, names[i]);
            }
            out_ << "\r\n";
            header_written_ = true;
        }
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (i > 0) out_ << ',';
            write_value(r.at(i));
        }
        out_ << "\r\n";
    }

    void finish(bool) override {}

private:
    void write_value(const value& v) {
        switch (v.kind()) {
            case value_kind::nil: return;  // an empty field
            case value_kind::boolean: out_ << (*v.get_if<bool>() ? "true" : "false"); return;
            case value_kind::integer: {
                const std::string digits = std::to_string(*v.get_if<std::int64_t>());
                if (integers_as_strings_) {
                    out_ << '"' << digits << '"';  // quoted: a spreadsheet keeps all 19 digits as text
                } else {
                    out_ << digits;
                }
                return;
            }
            case value_kind::real: out_ << real_text(*v.get_if<double>()); return;
            case value_kind::text: write_field(out_, *v.get_if<std::string>()); return;
            case value_kind::bytes: write_field(out_, hex_text(*v.get_if<blob>())); return;
            case value_kind::time: write_field(out_, rfc3339_text(*v.get_if<timestamp>())); return;
            case value_kind::json: write_field(out_, v.get_if<json_text>()->text); return;
        }
    }

    std::ostream& out_;
    bool integers_as_strings_;
    bool header_written_ = false;
};

}  // namespace

std::unique_ptr<row_writer> make_csv_writer(std::ostream& out, bool integers_as_strings) {
    return std::make_unique<csv_writer>(out, integers_as_strings);
}

}  // namespace strata::cli
