#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace strata::cli_test {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

struct pipe_pair {
    int read = -1;
    int write = -1;
    pipe_pair() {
        int fds[2];
        if (::pipe(fds) != 0) fail("pipe");
        read = fds[0];
        write = fds[1];
    }
};

// Reads both pipes until both are closed; reading them in turn would deadlock when the
// child fills one while we wait on the other.
void read_both(int out_fd, int err_fd, std::string& out, std::string& err) {
    std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    std::array<std::string*, 2> sinks{&out, &err};
    int open = 2;
    char buf[4096];
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
}

}  // namespace

process_result run_process(const std::string& program, const std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    pipe_pair out;
    pipe_pair err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // stdin is empty and not a terminal, wherever the tests run (`strata query` reads SQL
    // from a stdin that is not a terminal).
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, out.read);
    posix_spawn_file_actions_addclose(&actions, err.read);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out.write);
    ::close(err.write);
    if (rc != 0) {
        ::close(out.read);
        ::close(err.read);
        errno = rc;
        fail(("posix_spawn " + program).c_str());
    }

    process_result result;
    read_both(out.read, err.read, result.out, result.err);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) fail("waitpid");
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return result;
}

process_result run_cli(const std::vector<std::string>& args) {
    return run_process(from_test_dir(STRATA_CLI_PATH), args);
}

std::string from_test_dir(const std::string& relative) {
    static const std::filesystem::path dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
    return (dir / relative).lexically_normal().string();
}

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "strata-cli-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string temp_dir::sqlite_url(const std::string& name) const { return "sqlite:" + (path_ / name).string(); }

process_result run_cli_script(const std::string& script, const std::string& arg) {
    return run_process("/bin/sh", {"-c", "STRATA=\"$1\"; " + script, arg, from_test_dir(STRATA_CLI_PATH)});
}

}  // namespace strata::cli_test
