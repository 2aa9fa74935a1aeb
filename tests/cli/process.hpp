// Test helpers: run a built program and capture what it printed, and a scratch folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace strata::cli_test {

struct process_result {
    int exit_code = -1;  // the exit status, or -signal when the program was killed
    std::string out;     // everything written to stdout
    std::string err;     // everything written to stderr
};

// Runs `program` with `args` (no shell involved; stdin /dev/null) and waits for it.
[[nodiscard]] process_result run_process(const std::string& program, const std::vector<std::string>& args);

// A path the build gave relative to the running test program's folder, made absolute.
// tests/cli/CMakeLists.txt passes the programs and files the tests use that way, so no
// compile command names the build folder and ccache hits them from any build folder
// (docs/decisions/0017-build-speed.md).
[[nodiscard]] std::string from_test_dir(const std::string& relative);

// Runs the built `strata` binary.
[[nodiscard]] process_result run_cli(const std::vector<std::string>& args);

// A fresh folder under the system temp folder, removed with everything in it.
class temp_dir {
public:
    temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir();
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // "sqlite:<folder>/<name>"
    [[nodiscard]] std::string sqlite_url(const std::string& name) const;

private:
    std::filesystem::path path_;
};

// Runs `script` with /bin/sh -c, where "$STRATA" is the built `strata` binary: for what
// needs a shell (stdin from a pipe or a file, an environment variable, a terminal-less
// stdin).
// `arg`, when given, is "$0" in the script.
[[nodiscard]] process_result run_cli_script(const std::string& script, const std::string& arg = "sh");

}  // namespace strata::cli_test
