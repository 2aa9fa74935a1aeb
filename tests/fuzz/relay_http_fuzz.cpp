// Fuzzes relay's HTTP request pipeline in-process, without sockets: bytes -> Beast's
// request parser with relay's limits (header 431, route body limits 413) -> admission
// from the header (route lookup, authentication before the body) -> router -> handlers ->
// the response written back. The steps are the server's own (http/request_parsing.hpp,
// app::handlers()), run on a real relay over an in-memory SQLite database.
//
// The world: one relay holding a workspace, agents alice and bob (both in `general` and
// `ops`), a message by alice in `general` with a reply by bob, a DM and a group DM
// between them, and a file. It is built again every `inputs_per_world` inputs, so the
// database stays small over long runs. Since an input may depend on the ones before it
// in its world, a violated property first saves them all (save_world_inputs).
//
// Input: a selector byte, then the bytes of one or more pipelined requests. The selector
// picks the credential that replaces `TOKEN` (bits 0-1: the workspace key, alice's
// token, bob's, a well-formed token nobody holds) and, when bit 7 is set, makes the
// connection deliver the bytes in reads of 1..32 bytes (bits 2-6) instead of all at once.
// MSG_ID, REPLY_ID, DM_ID, GROUP_ID, FILE_ID and DELIVERY_ID are replaced by the ids of
// the world's objects (DELIVERY_ID: bob's delivery of alice's message). The placeholders
// are replaced in the request as parsed (method, path, query, Authorization,
// Idempotency-Key, body), not in the bytes: a body's Content-Length stays right.
//
// Properties (a violation aborts):
// - nothing throws out of admission or the handler, nothing crashes;
// - every reply has a status relay answers by design (200 201 400 401 403 404 405 409 413
//   431 503 507; 503 with Retry-After) and is the JSON envelope — {"ok":true,"data":...}
//   for 2xx, {"ok":false,"error":{"code":snake_case,"message"}} otherwise — except the
//   two routes that are not JSON (GET /metrics, a file's bytes);
// - no 500 (internal_error), for any input;
// - no reply (body or header) holds a secret of the world — the workspace key, an agent
//   token, one minted by an earlier reply (POST /v1/agents, rotate-token,
//   POST /v1/workspaces) — other than the one it just minted, unless an input put that
//   secret into a path, query, method or body itself (relay echoes those: a 404 names
//   the path, a message is read back);
// - the response written for a reply parses back as exactly one HTTP response with the
//   same status and body (no header can split it).
// An upgrade to WebSocket ends the input (what follows would be frames: ws_message).
// STRATA_FUZZ_VERBOSE=1 prints each request's route and reply (to see what seeds reach).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "app/app.hpp"
#include "fuzz_check.hpp"
#include "http/request_parsing.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using relay::json;

// The inputs one world serves before it is built again: the database and the files
// folder grow with what the inputs write; rebuilding takes some 40 ms (ASan), 0.2 ms
// per input, where a fresh world per input would cut the executions 40-fold.
constexpr int inputs_per_world = 256;
constexpr int max_requests_per_input = 8;

// A connection's bytes as a synchronous stream: reads of at most `chunk` bytes, then end
// of stream (the peer closed).
class byte_stream {
public:
    byte_stream(std::string_view bytes, std::size_t chunk) : bytes_(bytes), chunk_(chunk) {}

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
        ec = {};
        if (bytes_.empty()) {
            ec = net::error::eof;
            return 0;
        }
        const std::size_t room = std::min(bytes_.size(), chunk_);
        const std::size_t n = net::buffer_copy(buffers, net::buffer(bytes_.data(), room));
        bytes_.remove_prefix(n);
        return n;
    }
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers) {
        beast::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) throw beast::system_error(ec);
        return n;
    }

private:
    std::string_view bytes_;
    std::size_t chunk_;
};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// One relay and what it holds.
struct world {
    std::filesystem::path files;
    std::unique_ptr<relay::app> app;
    relay::http::server_handlers handlers;
    std::size_t max_header_bytes = relay::http::server_options{}.max_header_bytes;
    std::string key, alice, bob;
    // Placeholder -> value, substituted in every input.
    std::vector<std::pair<std::string, std::string>> ids;
    // Every credential minted in this world, and those an input exposed itself.
    std::vector<std::string> secrets;
    std::vector<std::string> exposed;
    // The inputs this world has served, in order (the current one last).
    std::vector<std::string> history;
    int inputs = 0;

    world() {
        char folder[] = "/tmp/relay_http_fuzz.XXXXXX";
        FUZZ_CHECK(::mkdtemp(folder) != nullptr, "no temporary folder for the files");
        files = folder;
        relay::config settings;
        settings.db_url = "sqlite::memory:";
        settings.files_dir = (files / "files").string();
        app = std::make_unique<relay::app>(settings);
        app->open();
        handlers = app->handlers();
        populate(app->eng());
    }
    ~world() {
        app.reset();
        std::error_code ignored;
        std::filesystem::remove_all(files, ignored);
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    void populate(relay::engine& eng) {
        const auto ws = eng.create_workspace("fuzz");
        key = ws.data["api_key"].get<std::string>();
        const auto admin = *eng.authenticate(key);
        const auto a = eng.create_agent(admin, "alice", "agent");
        const auto b = eng.create_agent(admin, "bob", "agent");
        alice = a.data["token"].get<std::string>();
        bob = b.data["token"].get<std::string>();
        secrets = {key, alice, bob};
        const auto pa = *eng.authenticate(alice);
        const auto pb = *eng.authenticate(bob);
        (void)eng.create_channel(pa, "ops", std::string("operations"));
        (void)eng.join_channel(pb, "ops");
        const auto file = eng.store_file(pa, "notes.txt", "text/plain", "some notes\n");
        const std::string file_id = file.data["id"].get<std::string>();
        const auto msg = eng.send_channel_message(
            pa, "general", {.text = "hello @bob", .attachments = {file_id}, .metadata = json{{"k", "v"}}},
            std::nullopt);
        const std::string msg_id = msg.data["id"].get<std::string>();
        const auto reply = eng.reply(pb, std::stoll(msg_id), {.text = "hi alice"}, std::nullopt);
        const auto dm = eng.send_dm(pa, "bob", {.text = "a direct message"}, std::nullopt);
        const auto group = eng.create_group_dm(pa, {"bob"}, std::string("pair"));
        ids = {{"DELIVERY_ID", "del_" + msg_id + "_" + b.data["agent"]["id"].get<std::string>()},
               {"REPLY_ID", reply.data["id"].get<std::string>()},
               {"GROUP_ID", group.data["conversation_id"].get<std::string>()},
               {"FILE_ID", file_id},
               {"MSG_ID", msg_id},
               {"DM_ID", dm.data["conversation_id"].get<std::string>()}};
    }

    // The placeholders of an input, replaced in a request's header fields, then its body.
    void fill_header(relay::http::request& r, const std::string& token) const {
        fill(r.method, token);
        fill(r.path, token);
        std::map<std::string, std::string> query;
        for (const auto& [name, value] : r.query) {
            std::string k = name;
            std::string v = value;
            fill(k, token);
            fill(v, token);
            query.emplace(std::move(k), std::move(v));
        }
        r.query = std::move(query);
        fill(r.authorization, token);
        if (r.idempotency_key) fill(*r.idempotency_key, token);
    }
    void fill(std::string& s, const std::string& token) const {
        replace_all(s, "TOKEN", token);
        for (const auto& [placeholder, value] : ids) replace_all(s, placeholder, value);
    }

    [[nodiscard]] std::string token(unsigned choice) const {
        switch (choice & 3U) {
            case 0:
                return key;
            case 1:
                return alice;
            case 2:
                return bob;
            default:
                return "at_live_00000000000000000000000000000000";
        }
    }

    // Marks the secrets a request carries where relay may echo them.
    void expose_what(const relay::http::request& r) {
        for (const auto& s : secrets) {
            bool in = r.method.find(s) != std::string::npos || r.path.find(s) != std::string::npos ||
                      r.body.find(s) != std::string::npos;
            for (const auto& [k, v] : r.query)
                in = in || k.find(s) != std::string::npos || v.find(s) != std::string::npos;
            if (in && std::find(exposed.begin(), exposed.end(), s) == exposed.end()) exposed.push_back(s);
        }
    }
};

std::unique_ptr<world>& current_world() {
    static std::unique_ptr<world> w;
    return w;
}

// The world for the next input: a new one after inputs_per_world.
world& next_world() {
    auto& w = current_world();
    if (!w || w->inputs >= inputs_per_world) {
        w.reset();  // the old relay closes before the next opens
        w = std::make_unique<world>();
    }
    return *w;
}

// A finding may need the inputs its world served before it (a channel one created, a
// token one rotated): before aborting, they are saved as numbered files, which the
// replay binary runs in order in one world (fuzz_replay_relay_http FOLDER).
void save_world_inputs() {
    const auto& w = current_world();
    char folder[] = "/tmp/relay_http_world.XXXXXX";
    if (!w || ::mkdtemp(folder) == nullptr) return;
    for (std::size_t i = 0; i < w->history.size(); ++i) {
        char name[24];
        std::snprintf(name, sizeof name, "%04zu", i);
        std::FILE* f = std::fopen((std::string(folder) + "/" + name).c_str(), "wb");
        if (f == nullptr) return;
        std::fwrite(w->history[i].data(), 1, w->history[i].size(), f);
        std::fclose(f);
    }
    std::fprintf(stderr, "relay_http: the %zu inputs of this world, in order, are in %s\n", w->history.size(), folder);
}

// A violated property: the world's inputs are saved, then FUZZ_CHECK aborts.
#define HTTP_CHECK(cond, what)      \
    do {                            \
        if (!(cond)) {              \
            save_world_inputs();    \
            FUZZ_CHECK(cond, what); \
        }                           \
    } while (false)

bool snake_case(const std::string& code) {
    if (code.empty() || code.front() < 'a' || code.front() > 'z') return false;
    return std::all_of(code.begin(), code.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool known_status(unsigned status) {
    static constexpr std::array<unsigned, 12> known{200, 201, 400, 401, 403, 404, 405, 409, 413, 431, 503, 507};
    return std::find(known.begin(), known.end(), status) != known.end();
}

std::optional<std::string> header(const relay::http::reply& rep, std::string_view name) {
    for (const auto& [n, v] : rep.headers)
        if (beast::iequals(n, name)) return v;
    return std::nullopt;
}

void check_envelope(const relay::http::reply& rep) {
    if (rep.content_type != "application/json") {
        // Only two routes answer something else, and only with a 200: GET /metrics
        // (Prometheus text) and GET /v1/files/:id (the file's bytes, never sniffed).
        const bool metrics = rep.content_type == "text/plain; version=0.0.4";
        const bool file = header(rep, "X-Content-Type-Options") == "nosniff";
        HTTP_CHECK(rep.status == 200 && (metrics || file), "a reply that is not the JSON envelope");
        return;
    }
    const auto doc = nlohmann::json::parse(rep.body, nullptr, false);
    HTTP_CHECK(doc.is_object() && doc.contains("ok") && doc["ok"].is_boolean(), "a reply without the envelope's ok");
    const bool success = rep.status / 100 == 2;
    HTTP_CHECK(doc["ok"].get<bool>() == success, "ok does not agree with the status");
    if (success) {
        HTTP_CHECK(doc.contains("data"), "a success without data");
        return;
    }
    HTTP_CHECK(doc.contains("error") && doc["error"].is_object(), "an error reply without error");
    const auto& e = doc["error"];
    HTTP_CHECK(e.contains("code") && e["code"].is_string() && snake_case(e["code"].get<std::string>()),
               "an error without a snake_case code");
    HTTP_CHECK(e.contains("message") && e["message"].is_string() && !e["message"].get<std::string>().empty(),
               "an error without a message");
}

// What a client reads: the response parses back as exactly one, with the same status
// and body.
void check_wire(const relay::http::reply& rep, unsigned version, bool keep_alive) {
    std::ostringstream out;
    out << relay::http::response_for(rep, version, keep_alive);
    const std::string bytes = out.str();
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    beast::error_code ec;
    const std::size_t used = parser.put(net::buffer(bytes), ec);
    HTTP_CHECK(!ec && parser.is_done(), "the response written does not parse back");
    HTTP_CHECK(used == bytes.size(), "the response written is followed by more bytes");
    HTTP_CHECK(parser.get().result_int() == rep.status, "the response written has another status");
    HTTP_CHECK(parser.get().body() == rep.body, "the response written has another body");
}

bool verbose() {
    static const bool on = std::getenv("STRATA_FUZZ_VERBOSE") != nullptr;
    return on;
}

void check_reply(world& w, const relay::http::reply& rep, unsigned version, bool keep_alive) {
    if (verbose()) std::fprintf(stderr, "  -> %u %.200s\n", rep.status, rep.body.c_str());
    if (rep.status == 500) std::fprintf(stderr, "500: %s\n", rep.body.c_str());
    HTTP_CHECK(rep.status != 500, "a 500 (internal_error)");
    if (!known_status(rep.status)) std::fprintf(stderr, "status %u: %s\n", rep.status, rep.body.c_str());
    HTTP_CHECK(known_status(rep.status), "a status relay does not answer by design");
    if (rep.status == 503) HTTP_CHECK(header(rep, "Retry-After").has_value(), "a 503 without Retry-After");
    check_envelope(rep);
    for (const auto& s : w.secrets) {
        if (std::find(w.exposed.begin(), w.exposed.end(), s) != w.exposed.end()) continue;
        bool leaked = rep.body.find(s) != std::string::npos;
        for (const auto& [n, v] : rep.headers) leaked = leaked || v.find(s) != std::string::npos;
        HTTP_CHECK(!leaked, "a reply holds a secret of the world");
    }
    check_wire(rep, version, keep_alive);
    // Credentials this reply minted become secrets of the world; a rotated token of
    // alice or bob replaces the one the selector picks.
    if (rep.status / 100 != 2 || rep.content_type != "application/json") return;
    const auto data = nlohmann::json::parse(rep.body)["data"];
    if (!data.is_object()) return;
    for (const char* field : {"token", "api_key"}) {
        if (!data.contains(field) || !data[field].is_string()) continue;
        const std::string secret = data[field].get<std::string>();
        w.secrets.push_back(secret);
        if (data.contains("agent") && data["agent"].is_object() && data["agent"].value("name", "") == "alice")
            w.alice = secret;
        if (data.contains("agent") && data["agent"].is_object() && data["agent"].value("name", "") == "bob")
            w.bob = secret;
    }
}

template <class Fn>
auto must_not_throw(const char* what, Fn&& fn) {
    try {
        return fn();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s threw: %s\n", what, e.what());
    } catch (...) {
        std::fprintf(stderr, "%s threw a non-exception\n", what);
    }
    HTTP_CHECK(false, "a server handler threw");
    std::abort();
}

// One connection: requests read one after the other, as the server's session reads them.
void serve(world& w, std::string_view bytes, std::size_t chunk, const std::string& token) {
    byte_stream stream(bytes, chunk);
    beast::flat_buffer buffer;
    std::optional<relay::http::request_parser> parser;
    for (int n = 0; n < max_requests_per_input; ++n) {
        relay::http::start_request(parser, w.max_header_bytes);
        beast::error_code ec;
        bhttp::read_header(stream, buffer, *parser, ec);
        if (ec) {
            if (auto answer = relay::http::read_error_reply(ec)) check_reply(w, *answer, 11, false);
            return;
        }
        const unsigned version = parser->get().version();
        if (beast::websocket::is_upgrade(parser->get())) return;
        auto made = relay::http::request_from_header(*parser);
        if (auto* refused = std::get_if<relay::http::reply>(&made)) return check_reply(w, *refused, version, false);
        relay::http::request r = std::move(std::get<relay::http::request>(made));
        w.fill_header(r, token);
        w.expose_what(r);
        if (verbose()) std::fprintf(stderr, "%s %s\n", r.method.c_str(), r.path.c_str());
        if (!parser->is_done()) {
            auto a = must_not_throw("admit", [&] { return w.handlers.admit(r); });
            if (auto early = relay::http::admit_body(*parser, std::move(a)))
                return check_reply(w, *early, version, false);
            bhttp::read(stream, buffer, *parser, ec);
            if (ec) {
                if (auto answer = relay::http::read_error_reply(ec)) check_reply(w, *answer, 11, false);
                return;
            }
        }
        auto message = parser->release();
        r.body = std::move(message.body());
        w.fill(r.body, token);
        w.expose_what(r);
        const bool keep_alive = message.keep_alive();
        const auto rep = must_not_throw("handle", [&] { return w.handlers.handle(r); });
        check_reply(w, rep, version, keep_alive);
        if (!keep_alive) return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        spdlog::set_level(spdlog::level::err);  // a 500's cause is logged as an error
        return true;
    }();
    (void)quiet;
    if (size == 0) return 0;
    world& w = next_world();
    ++w.inputs;
    w.history.emplace_back(reinterpret_cast<const char*>(data), size);
    const unsigned selector = data[0];
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t chunk = (selector & 0x80U) != 0 ? 1 + ((selector >> 2) & 0x1fU) : bytes.size() + 1;
    serve(w, bytes, chunk, w.token(selector));
    return 0;
}
