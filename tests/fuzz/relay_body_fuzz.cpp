// Fuzzes relay's request input readers (apps/relay/http/body.hpp): the JSON object body
// and its fields, and the ?limit / ?before / ?after / ?cursor query parameters.
//
// Input: a first line of query parameters ("limit=5&before=12", taken as already
// decoded), then the request body. Properties:
// - only relay::api_error escapes, always with status 400 (a json::exception, any other
//   exception, a crash or a stack overflow is a finding);
// - what the readers return is what they promise: strings without NUL, a limit in
//   [1, max], cursors that are positive ids, an object where an object was asked for.
// Finding F5 (fixed: a nesting cap of 32 before parsing, text/json_depth.hpp): a body
// nested thousands deep overflowed the stack. Input: tests/fuzz/crashes/relay_body/.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "engine/api_error.hpp"
#include "fuzz_check.hpp"
#include "http/body.hpp"

namespace {

using relay::json;

bool clean(const std::string& s) { return s.find('\0') == std::string::npos; }

// Runs one reader: it returns normally or throws api_error 400; nothing else.
template <class Fn>
void expect_400_or_value(const char* what, Fn&& fn) {
    try {
        fn();
    } catch (const relay::api_error& e) {
        if (e.status() != 400) std::fprintf(stderr, "%s: api_error status %u\n", what, e.status());
        FUZZ_CHECK(e.status() == 400, "a reader failed with a status other than 400");
        FUZZ_CHECK(!e.code().empty(), "a reader failed without an error code");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s threw %s\n", what, e.what());
        FUZZ_CHECK(false, "a reader threw something other than relay::api_error");
    } catch (...) {
        FUZZ_CHECK(false, "a reader threw a non-exception");
    }
}

relay::http::request request_from(std::string_view line) {
    relay::http::request r;
    r.method = "POST";
    r.path = "/v1/channels/general/messages";
    while (!line.empty()) {
        const auto amp = line.find('&');
        const std::string_view pair = line.substr(0, amp);
        line = amp == std::string_view::npos ? std::string_view{} : line.substr(amp + 1);
        const auto eq = pair.find('=');
        r.query.emplace(std::string(pair.substr(0, eq)),
                        eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    }
    return r;
}

void check_query(const relay::http::request& r) {
    expect_400_or_value("page_params", [&] {
        const auto p = relay::http::page_params(r);
        FUZZ_CHECK(p.limit >= 1 && p.limit <= 100, "page_params returned a limit outside [1, 100]");
        FUZZ_CHECK(!p.before || *p.before > 0, "page_params returned a non-positive before");
        FUZZ_CHECK(!p.after || *p.after > 0, "page_params returned a non-positive after");
    });
    expect_400_or_value("list_params", [&] {
        const auto p = relay::http::list_params(r, 7, 1000);
        FUZZ_CHECK(p.limit >= 1 && p.limit <= 1000, "list_params returned a limit outside [1, max]");
        FUZZ_CHECK(p.cursor == r.query_value("cursor"), "list_params did not pass the cursor on as given");
    });
    expect_400_or_value("limit_param", [&] {
        const int n = relay::http::limit_param(r, 7, 1000);
        if (!r.query_value("limit")) FUZZ_CHECK(n == 7, "limit_param ignored its fallback");
        else FUZZ_CHECK(n >= 1 && n <= 1000, "limit_param returned a limit outside [1, max]");
    });
}

void check_body(const std::string& body) {
    json o;
    try {
        o = relay::http::parse_object(body);
    } catch (const relay::api_error& e) {
        FUZZ_CHECK(e.status() == 400, "parse_object failed with a status other than 400");
        return;
    } catch (...) {
        FUZZ_CHECK(false, "parse_object threw something other than relay::api_error");
    }
    FUZZ_CHECK(o.is_object(), "parse_object returned something other than an object");

    for (const char* key : {"text", "name", "to", "attachments", "metadata", ""}) {
        expect_400_or_value("required_string",
                            [&] { FUZZ_CHECK(clean(relay::http::required_string(o, key)), "NUL in a string"); });
        expect_400_or_value("optional_string", [&] {
            const auto s = relay::http::optional_string(o, key);
            FUZZ_CHECK(!s || clean(*s), "NUL in an optional string");
        });
        for (const bool required : {false, true}) {
            expect_400_or_value("string_array", [&] {
                for (const auto& s : relay::http::string_array(o, key, required))
                    FUZZ_CHECK(clean(s), "NUL in a string array");
            });
        }
        expect_400_or_value("optional_object", [&] {
            const auto v = relay::http::optional_object(o, key);
            FUZZ_CHECK(!v || v->is_object(), "optional_object returned a non-object");
        });
    }
    for (const bool attachments : {false, true}) {
        expect_400_or_value("message_body", [&] {
            const auto in = relay::http::message_body(o, attachments);
            FUZZ_CHECK(clean(in.text), "NUL in a message text");
            FUZZ_CHECK(attachments || in.attachments.empty(), "attachments read where they are not allowed");
            for (const auto& a : in.attachments) FUZZ_CHECK(clean(a), "NUL in an attachment id");
            FUZZ_CHECK(!in.metadata || in.metadata->is_object(), "metadata that is not an object");
            // What a handler does next with it: serialize it into the stored row.
            if (in.metadata) (void)in.metadata->dump(-1, ' ', false, json::error_handler_t::replace);
        });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    check_query(request_from(input.substr(0, nl)));
    check_body(nl == std::string_view::npos ? std::string() : std::string(input.substr(nl + 1)));
    return 0;
}
