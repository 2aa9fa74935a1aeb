#include "row_writer.hpp"

namespace strata::cli {

std::unique_ptr<row_writer> make_row_writer(std::ostream& out, const output_options& options) {
    switch (options.format) {
        case output_format::json: return make_json_writer(out, false, options.integers_as_strings);
        case output_format::jsonl: return make_json_writer(out, true, options.integers_as_strings);
        case output_format::csv: return make_csv_writer(out, options.integers_as_strings);
        case output_format::table: break;
    }
    return make_table_writer(out);
}

}  // namespace strata::cli
