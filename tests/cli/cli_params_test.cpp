// --param values bind with the type their prefix (or their shape) says; SQLite's
// typeof() reports what actually arrived.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace strata::cli_test {
namespace {

using nlohmann::json;

struct bound {
    std::string type;  // SQLite's typeof()
    json value;
};

// Binds one --param and reports what SQLite received.
bound bind_one(const std::string& param) {
    const auto r = run_cli({"query", "--json", "--url", "sqlite::memory:", "SELECT typeof(?) AS type, ? AS value",
                            "--param", param, "--param", param});
    EXPECT_EQ(r.exit_code, 0) << param << ": " << r.err;
    const json rows = json::parse(r.out, nullptr, false);
    if (rows.is_discarded() || rows.size() != 1) {
        ADD_FAILURE() << param << ": unexpected output " << r.out;
        return {};
    }
    return {rows[0]["type"].get<std::string>(), rows[0]["value"]};
}

TEST(params, plain_integers_bind_as_integer) {
    for (const auto& [arg, expected] : std::vector<std::pair<std::string, std::int64_t>>{
             {"42", 42}, {"-7", -7}, {"+5", 5}, {"0", 0}, {"9223372036854775807", INT64_MAX}}) {
        const bound b = bind_one(arg);
        EXPECT_EQ(b.type, "integer") << arg;
        EXPECT_EQ(b.value, expected) << arg;
    }
}

TEST(params, plain_reals_bind_as_real) {
    for (const auto& [arg, expected] :
         std::vector<std::pair<std::string, double>>{{"4.5", 4.5}, {"-0.25", -0.25}, {"1e3", 1000.0}, {".5", 0.5}}) {
        const bound b = bind_one(arg);
        EXPECT_EQ(b.type, "real") << arg;
        EXPECT_DOUBLE_EQ(b.value.get<double>(), expected) << arg;
    }
    // Too big for 64 bits, still entirely a number.
    EXPECT_EQ(bind_one("9223372036854775808").type, "real");
}

TEST(params, anything_else_binds_as_text) {
    for (const std::string arg : {"abc", "12abc", "1.2.3", "inf", "nan", "0x10", "", " 12", "NULL", "foo:bar"}) {
        const bound b = bind_one(arg);
        EXPECT_EQ(b.type, "text") << '"' << arg << '"';
        EXPECT_EQ(b.value, arg);
    }
}

TEST(params, prefixes_force_the_type) {
    EXPECT_EQ(bind_one("int:12").type, "integer");
    EXPECT_EQ(bind_one("int:-3").value, -3);
    const bound real = bind_one("real:2");
    EXPECT_EQ(real.type, "real");
    EXPECT_DOUBLE_EQ(real.value.get<double>(), 2.0);
    const bound text = bind_one("text:007");
    EXPECT_EQ(text.type, "text");
    EXPECT_EQ(text.value, "007");
    EXPECT_EQ(bind_one("text:null").value, "null");
    EXPECT_EQ(bind_one("text:int:5").value, "int:5");
    EXPECT_EQ(bind_one("text:").value, "");
}

TEST(params, null_binds_null) {
    const bound b = bind_one("null");
    EXPECT_EQ(b.type, "null");
    EXPECT_TRUE(b.value.is_null());
}

TEST(params, blob_takes_hex_digits) {
    const bound b = bind_one("blob:00FF10");
    EXPECT_EQ(b.type, "blob");
    EXPECT_EQ(b.value, "00ff10");
    const auto r = run_cli({"query", "--url", "sqlite::memory:", "SELECT length(?) AS n", "--param", "blob:"});
    EXPECT_EQ(r.out, "n\n-\n0\n(1 row)\n");
}

TEST(params, bind_in_order_and_are_never_spliced) {
    const auto r = run_cli({"query", "--url", "sqlite::memory:", "SELECT ? || '|' || ? || '|' || ? AS v", "--param",
                            "a", "-p", "'); DROP TABLE x; --", "--param=-1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "v\n-------------------------\na|'); DROP TABLE x; --|-1\n(1 row)\n");
}

TEST(params, malformed_prefixed_values_are_usage_errors_that_do_not_echo_the_value) {
    for (const std::string arg : {"int:abc", "int:1.5", "int:99999999999999999999", "int:", "real:x", "real:nan",
                                  "blob:0", "blob:zz", "blob:s3cr"}) {
        const auto r = run_cli({"query", "--url", "sqlite::memory:", "SELECT ?", "--param", arg});
        EXPECT_EQ(r.exit_code, 2) << arg;
        EXPECT_EQ(r.out, "") << arg;
        EXPECT_EQ(r.err.rfind("error: CLI.PARAM_INVALID: --param 1 ", 0), 0u) << r.err;
        if (!arg.ends_with(':')) {
            EXPECT_EQ(r.err.find(arg), std::string::npos) << "the value was echoed: " << r.err;
        }
    }
}

TEST(params, the_position_of_a_bad_param_is_named) {
    const auto r = run_cli({"query", "--url", "sqlite::memory:", "SELECT ?, ?", "--param", "1", "--param", "int:x"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--param 2 "), std::string::npos) << r.err;
}

TEST(params, too_few_or_too_many_params_is_a_statement_error) {
    for (const std::vector<std::string>& params : {std::vector<std::string>{}, std::vector<std::string>{"1", "2"}}) {
        std::vector<std::string> args{"query", "--url", "sqlite::memory:", "SELECT ?"};
        for (const auto& p : params) args.insert(args.end(), {"--param", p});
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_EQ(r.err.rfind("error: PLAN.PARAM_COUNT_MISMATCH: ", 0), 0u) << r.err;
    }
}

TEST(params, query_help_documents_every_prefix) {
    const auto r = run_cli({"query", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* needle : {"--param", "int:", "real:", "text:", "null", "blob:HEX", "--json", "sqlite::memory:"}) {
        EXPECT_NE(r.out.find(needle), std::string::npos) << needle << " missing from:\n" << r.out;
    }
}

}  // namespace
}  // namespace strata::cli_test
