// The json and jsonl formats (row_writer.hpp).
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "machine_text.hpp"
#include "row_writer.hpp"

namespace strata::cli {
namespace {

using json = nlohmann::ordered_json;

json to_json(const value& v, bool integers_as_strings) {
    struct visitor {
        bool integers_as_strings;
        json operator()(null_t) const { return nullptr; }
        json operator()(bool b) const { return b; }
        json operator()(std::int64_t i) const { return integers_as_strings ? json(std::to_string(i)) : json(i); }
        json operator()(double d) const { return d; }  // inf and NaN have no JSON form: null
        json operator()(const std::string& s) const { return s; }
        json operator()(const blob& b) const { return hex_text(b); }
        json operator()(timestamp t) const { return rfc3339_text(t); }
        json operator()(const json_text& j) const {
            json parsed = json::parse(j.text, nullptr, false);
            return parsed.is_discarded() ? json(j.text) : parsed;  // not valid JSON: keep the text
        }
    };
    return std::visit(visitor{integers_as_strings}, v.get());
}

class json_writer final : public row_writer {
public:
    json_writer(std::ostream& out, bool lines, bool integers_as_strings)
        : out_(out), lines_(lines), integers_as_strings_(integers_as_strings) {}

    void write(const row& r) override {
        if (keys_.empty()) keys_ = unique_column_names(r.shape());
        json object = json::object();
        for (std::size_t i = 0; i < keys_.size(); ++i) object[keys_[i]] = to_json(r.at(i), integers_as_strings_);
        if (!lines_) out_ << (rows_ == 0 ? "[\n  " : ",\n  ");
        // Invalid UTF-8 in a text column must not abort the output: replace it.
        out_ << object.dump(-1, ' ', false, json::error_handler_t::replace);
        if (lines_) out_ << '\n';
        ++rows_;
    }

    void finish(bool) override {
        if (!lines_) out_ << (rows_ == 0 ? "[]\n" : "\n]\n");
    }

private:
    std::ostream& out_;
    bool lines_;
    bool integers_as_strings_;
    std::vector<std::string> keys_;
    std::size_t rows_ = 0;
};

}  // namespace

std::unique_ptr<row_writer> make_json_writer(std::ostream& out, bool lines, bool integers_as_strings) {
    return std::make_unique<json_writer>(out, lines, integers_as_strings);
}

}  // namespace strata::cli
