// Files: upload (raw body, size limit -> 413), download, attachments on messages.
#include <sys/resource.h>

#include <csignal>
#include <filesystem>

#include "support/relay_fixture.hpp"

namespace relay::test {
namespace {
using namespace std::string_literals;

RELAY_TEST_SUITE(files);

// While it lives, no file of this process may grow past `bytes`: a write past it fails
// with EFBIG (SIGXFSZ ignored), as a write to a full disk fails with ENOSPC.
class file_size_limit {
public:
    explicit file_size_limit(rlim_t bytes) {
        getrlimit(RLIMIT_FSIZE, &before_);
        const rlimit limited{bytes, before_.rlim_max};
        previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~file_size_limit() {
        setrlimit(RLIMIT_FSIZE, &before_);
        std::signal(SIGXFSZ, previous_handler_);
    }
    file_size_limit(const file_size_limit&) = delete;
    file_size_limit& operator=(const file_size_limit&) = delete;

private:
    rlimit before_{};
    void (*previous_handler_)(int) = nullptr;
};

std::size_t files_on_disk(const std::string& dir) {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) ++n;
    return n;
}

TEST_P(files, an_upload_is_stored_and_reads_back_byte_for_byte) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    std::string bytes = "binary\0data\xff"s;
    const response up =
        http().post_raw("/v1/files?filename=notes%20v1.txt&content_type=text/plain", bytes, alice.token);
    ASSERT_EQ(up.status, 201u) << up.body;
    EXPECT_EQ(up.data()["filename"], "notes v1.txt");
    EXPECT_EQ(up.data()["size_bytes"], bytes.size());
    EXPECT_EQ(up.data()["status"], "complete");
    const std::string id = up.data()["id"];
    const response down = http().get("/v1/files/" + id, alice.token);
    ASSERT_EQ(down.status, 200u);
    EXPECT_EQ(down.body, bytes);
    EXPECT_EQ(down.header("content-type"), "text/plain");
    // Any credential of the workspace may download.
    EXPECT_EQ(http().get("/v1/files/" + id, ws.key).status, 200u);
}

TEST_P(files, uploads_over_the_limit_are_413_and_leave_nothing) {
    stop_relay();
    settings_.max_file_bytes = 64 * 1024;
    start_relay();
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const response big = http().post_raw("/v1/files?filename=big.bin", std::string(64 * 1024 + 1, 'x'), alice.token);
    EXPECT_EQ(big.status, 413u);
    EXPECT_EQ(big.error_code(), "payload_too_large");
    // Much larger than the limit: refused from the Content-Length, the upload drained.
    const response huge = http().post_raw("/v1/files?filename=big.bin", std::string(4 * 1024 * 1024, 'x'), alice.token);
    EXPECT_EQ(huge.status, 413u);
    EXPECT_EQ(http().post_raw("/v1/files?filename=ok.bin", std::string(64 * 1024, 'x'), alice.token).status, 201u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM files"), 1);
    // JSON routes have their own (smaller) limit.
    stop_relay();
    settings_.max_body_bytes = 1024;
    start_relay();
    const response body = http().post("/v1/workspaces", {{"name", std::string(2000, 'x')}});
    EXPECT_EQ(body.status, 413u);
}

// A files folder that cannot take the bytes answers 507 storage_full (not a 500) and
// leaves neither a row nor a partial file; reads go on, and an upload that fits works.
// (A real full disk, ENOSPC on a small tmpfs, is tried from outside: docs/reliability.md.)
TEST_P(files, an_upload_the_files_folder_cannot_hold_is_507_and_leaves_nothing) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const std::string kept = http().post_raw("/v1/files?filename=kept.txt", "kept", alice.token).data()["id"];
    const std::size_t before = files_on_disk(files_dir());
    response refused;
    {
        const file_size_limit limit(2 * 1024 * 1024);  // well above relay's test databases
        refused = http().post_raw("/v1/files?filename=big.bin", std::string(3 * 1024 * 1024, 'x'), alice.token);
        EXPECT_EQ(http().get("/v1/files/" + kept, alice.token).body, "kept");
    }
    EXPECT_EQ(refused.status, 507u) << refused.body;
    EXPECT_EQ(refused.error_code(), "storage_full");
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM files"), 1);
    EXPECT_EQ(files_on_disk(files_dir()), before);  // no partial file left
    EXPECT_EQ(http().post_raw("/v1/files?filename=big.bin", std::string(3 * 1024 * 1024, 'x'), alice.token).status,
              201u);
}

TEST_P(files, uploads_need_a_filename_and_bytes) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    EXPECT_EQ(http().post_raw("/v1/files", "abc", alice.token).status, 400u);
    EXPECT_EQ(http().post_raw("/v1/files?filename=x", "", alice.token).status, 400u);
    EXPECT_EQ(http().post_raw("/v1/files?filename=%0A", "abc", alice.token).status, 400u);
    EXPECT_EQ(http().post_raw("/v1/files?filename=x", "abc").status, 401u);
    EXPECT_EQ(http().get("/v1/files/123", alice.token).error_code(), "file_not_found");
    EXPECT_EQ(http().get("/v1/files/abc", alice.token).status, 404u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM files"), 0);
}

TEST_P(files, messages_attach_uploaded_files_of_the_workspace) {
    const workspace_info ws = make_workspace();
    const agent_info alice = make_agent(ws, "alice");
    const std::string a = http().post_raw("/v1/files?filename=a.txt", "A", alice.token).data()["id"];
    const std::string b = http().post_raw("/v1/files?filename=b.txt", "BB", alice.token).data()["id"];
    const response sent =
        http().post("/v1/channels/general/messages", {{"text", "see"}, {"attachments", {b, a}}}, alice.token);
    ASSERT_EQ(sent.status, 201u) << sent.body;
    ASSERT_EQ(sent.data()["attachments"].size(), 2u);
    EXPECT_EQ(sent.data()["attachments"][0]["filename"], "b.txt");  // in the order given
    EXPECT_EQ(sent.data()["attachments"][1]["size_bytes"], 1);
    const response read = http().get("/v1/messages/" + sent.data()["id"].get<std::string>(), alice.token);
    EXPECT_EQ(read.data()["attachments"], sent.data()["attachments"]);

    const workspace_info other = make_workspace("other");
    const agent_info mallory = make_agent(other, "mallory");
    const std::string theirs = http().post_raw("/v1/files?filename=m.txt", "M", mallory.token).data()["id"];
    for (const json& bad : {json::array({theirs}), json::array({"123"}), json::array({"x"}), json::array({a, a})}) {
        const response r =
            http().post("/v1/channels/general/messages", {{"text", "x"}, {"attachments", bad}}, alice.token);
        EXPECT_EQ(r.status, 400u) << bad.dump();
        EXPECT_EQ(r.error_code(), "invalid_attachments") << bad.dump();
    }
    EXPECT_EQ(http().get("/v1/files/" + theirs, alice.token).status, 404u);
    EXPECT_EQ(scalar("SELECT COUNT(*) FROM messages"), 1);
}

}  // namespace
}  // namespace relay::test
