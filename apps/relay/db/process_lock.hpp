// relay on SQLite is one process (decision 0032): its events go to the WebSocket clients
// of the process that wrote them, so a second relay process on the same file would
// leave each process's clients deaf to the other's writes. The first process holds an
// exclusive lock on the database file (flock: released by the kernel when the process
// dies, so a restart after a crash is never refused); a second one refuses to start.
#pragma once

#include <memory>
#include <string>

namespace relay {

class process_lock {
public:
    // Locks the SQLite file of `url` (sqlite:PATH...; nothing for :memory: or another
    // scheme). Throws std::runtime_error, naming the file, when another process holds it.
    [[nodiscard]] static std::unique_ptr<process_lock> for_sqlite(const std::string& url);
    ~process_lock();
    process_lock(const process_lock&) = delete;
    process_lock& operator=(const process_lock&) = delete;

private:
    explicit process_lock(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace relay
