// Files: the bytes go to --files-dir/<workspace>/<file id>, the row to `files`.
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
    std::filesystem::create_directories(path.parent_path());
    {
        const auto partial = path.string() + ".partial";
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) throw std::runtime_error("could not write an uploaded file");
        std::filesystem::rename(partial, path);
    }
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
