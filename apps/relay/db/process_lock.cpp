#include "db/process_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <strata/sqlite.hpp>

namespace relay {

std::unique_ptr<process_lock> process_lock::for_sqlite(const std::string& url) {
    if (url.rfind("sqlite:", 0) != 0) return nullptr;
    const strata::binding parsed = strata::sqlite::parse_url(url);
    const auto* file = parsed.get_if<strata::sqlite::file>();
    if (!file) return nullptr;
    const auto parent = std::filesystem::path(file->path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    // flock, not fcntl: SQLite's own locks on the file are fcntl locks, which flock
    // neither sees nor disturbs on Linux; and flock is per open file, so it also refuses
    // a second relay inside one process.
    const int fd = ::open(file->path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw std::runtime_error("cannot open the SQLite file " + file->path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            throw std::runtime_error("another relay process is running on the SQLite file " + file->path +
                                     ": relay on SQLite is one process (run several instances on PostgreSQL)");
        throw std::runtime_error("cannot lock the SQLite file " + file->path + ": " + std::strerror(error));
    }
    return std::unique_ptr<process_lock>(new process_lock(fd));
}

process_lock::~process_lock() {
    ::close(fd_);  // releases the lock
}

}  // namespace relay
