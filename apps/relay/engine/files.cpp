// Files: the bytes go to --files-dir/<workspace>/<file id>, the row to `files`.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/api_error.hpp"
#include "engine/clock.hpp"
#include "engine/engine.hpp"
#include "engine/message_writes.hpp"

namespace relay {
namespace {

bool printable(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

void remove_quietly(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

// A full disk or quota (or a file size limit) is the client's 507, like a full database;
// any other failure is the server's. Either way nothing is left behind.
[[noreturn]] void files_failed(int error, const char* step) {
    if (error == ENOSPC || error == EDQUOT || error == EFBIG)
        fail(507, "storage_full", "The files folder is full; the file was not stored. Reads still work.");
    spdlog::error("storing an uploaded file failed ({}: {})", step, std::strerror(error));
    throw std::runtime_error("could not store an uploaded file");
}

// Writes `bytes` to `path` whole or not at all: to `path`.partial, flushed to the disk,
// then renamed. On failure the partial file is removed.
void write_whole_file(const std::filesystem::path& path, const std::string& bytes) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) files_failed(ec.value(), "create its folder");
    const std::string partial = path.string() + ".partial";
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) files_failed(errno, "open");
    const auto give_up = [&](const char* step) {
        const int error = errno;
        ::close(fd);
        remove_quietly(partial);
        files_failed(error, step);
    };
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) give_up("write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) give_up("fsync");
    if (::close(fd) != 0) {
        const int error = errno;
        remove_quietly(partial);
        files_failed(error, "close");
    }
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        remove_quietly(partial);
        files_failed(ec.value(), "rename");
    }
}

}  // namespace

write_result engine::store_file(const principal& p, const std::string& filename, const std::string& content_type,
                                const std::string& bytes, const std::optional<idempotency_claim>& idem) {
    if (filename.empty() || filename.size() > 255 || !printable(filename))
        fail(400, "invalid_request", "filename must be 1 to 255 printable characters.");
    if (content_type.size() > 128 || !printable(content_type))
        fail(400, "invalid_request", "content_type must be at most 128 printable characters.");
    if (bytes.empty()) fail(400, "invalid_request", "The file is empty: send its bytes as the request body.");
    const std::string type = content_type.empty() ? "application/octet-stream" : content_type;
    const std::int64_t id = ids_.next();
    const std::string storage_key = id_text(p.workspace_id) + "/" + id_text(id);
    const auto path = std::filesystem::path(options_.files_dir) / storage_key;
    write_whole_file(path, bytes);
    static const strata::sql_template insert(
        "INSERT INTO files(id, workspace_id, uploaded_by, filename, content_type, size_bytes, storage_key, status, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'complete', ?)");
    const std::int64_t now = now_ms();
    // A value, not an optional: GCC 12 at -O3 reports the optional's payload as maybe
    // uninitialized once it is bound into a plan kept in a vector (-Werror).
    const strata::value uploader = p.is_agent() ? strata::value{p.agent_id} : strata::value{};
    write_result out{201,
                     {{"id", id_text(id)},
                      {"filename", filename},
                      {"content_type", type},
                      {"size_bytes", bytes.size()},
                      {"status", "complete"},
                      {"created_at", iso8601(now)}},
                     {}};
    std::vector<strata::plan> plans{insert.bind(id, p.workspace_id, uploader, filename, type,
                                                static_cast<std::int64_t>(bytes.size()), storage_key, now)};
    if (idem) detail::add_idempotency_plan(plans, *idem, out.status, out.data, now);
    static const strata::sql_template stored("SELECT 1 FROM files WHERE id = ?");
    try {
        (void)run_unit(plans, stored.bind(id));
    } catch (const api_error& e) {
        // outcome_unknown: the row may exist, so its bytes stay (never a row without bytes).
        if (e.code() != "outcome_unknown") remove_quietly(path);
        throw;
    } catch (...) {
        remove_quietly(path);  // no bytes without their row
        throw;
    }
    return out;
}

file_content engine::read_file(const principal& p, std::int64_t id) const {
    static const strata::sql_template q(
        "SELECT filename, content_type, storage_key FROM files WHERE id = ? AND workspace_id = ? AND status = "
        "'complete'");
    auto r = db_.execute(q.bind(id, p.workspace_id)).first();
    if (!r) fail(404, "file_not_found", "No such file in this workspace.");
    std::ifstream in(std::filesystem::path(options_.files_dir) / r->get<std::string>(2), std::ios::binary);
    if (!in) fail(404, "file_not_found", "The file's bytes are missing from the files folder.");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return {r->get<std::string>(0), r->get<std::string>(1), bytes.str()};
}

}  // namespace relay
