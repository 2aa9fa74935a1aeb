// README.md shows exactly examples/readme_example.cpp, which is built as a target: the
// README's example is therefore compiled and run by the test suite.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"

namespace strata::cli_test {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The bodies of the ```cpp fenced blocks, each line ending with '\n'.
std::vector<std::string> cpp_blocks(const std::string& markdown) {
    std::vector<std::string> blocks;
    std::istringstream in(markdown);
    std::string line;
    std::string* current = nullptr;
    while (std::getline(in, line)) {
        if (current == nullptr) {
            if (line == "```cpp") current = &blocks.emplace_back();
        } else if (line == "```") {
            current = nullptr;
        } else {
            *current += line + '\n';
        }
    }
    return blocks;
}

// True when README.md has a ```cpp block equal to the file.
bool readme_shows(const std::string& source) {
    const std::string example = read_file(source);
    const std::vector<std::string> blocks = cpp_blocks(read_file(from_test_dir(STRATA_README_PATH)));
    return std::find(blocks.begin(), blocks.end(), example) != blocks.end();
}

TEST(example, every_readme_block_is_a_compiled_example) {
    const std::vector<std::string> examples = {read_file(from_test_dir(STRATA_README_EXAMPLE_SOURCE)),
                                               read_file(from_test_dir(STRATA_README_TRANSACTIONS_SOURCE)),
                                               read_file(from_test_dir(STRATA_README_BUILDER_SOURCE)),
                                               read_file(from_test_dir(STRATA_README_ORM_SOURCE))};
    for (const std::string& b : cpp_blocks(read_file(from_test_dir(STRATA_README_PATH)))) {
        EXPECT_NE(std::find(examples.begin(), examples.end(), b), examples.end())
            << "This README block is not one of the compiled examples (examples/readme_*.cpp):\n" << b;
    }
}

TEST(example, readme_shows_the_transactions_example_and_it_runs) {
    EXPECT_TRUE(readme_shows(from_test_dir(STRATA_README_TRANSACTIONS_SOURCE)))
        << "copy examples/readme_transactions.cpp into README.md";
    const auto r = run_process(from_test_dir(STRATA_README_TRANSACTIONS_BINARY), {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ATOMIC.UNIT_FAILED 23514\n70\n");
}

TEST(example, readme_shows_the_builder_example_and_it_runs) {
    EXPECT_TRUE(readme_shows(from_test_dir(STRATA_README_BUILDER_SOURCE)))
        << "copy examples/readme_builder.cpp into README.md";
    const auto r = run_process(from_test_dir(STRATA_README_BUILDER_BINARY), {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ann 10\n");
}

TEST(example, readme_shows_the_orm_example_and_it_runs) {
    EXPECT_TRUE(readme_shows(from_test_dir(STRATA_README_ORM_SOURCE))) << "copy examples/readme_orm.cpp into README.md";
    const auto r = run_process(from_test_dir(STRATA_README_ORM_BINARY), {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ann: hello\nann: again\n");
}

TEST(example, shows_exactly_the_compiled_example) {
    const std::string example = read_file(from_test_dir(STRATA_README_EXAMPLE_SOURCE));
    const std::vector<std::string> blocks = cpp_blocks(read_file(from_test_dir(STRATA_README_PATH)));
    ASSERT_FALSE(blocks.empty()) << "README.md has no ```cpp block";
    bool found = false;
    for (const std::string& b : blocks) found = found || b == example;
    EXPECT_TRUE(found) << "No ```cpp block in README.md equals examples/readme_example.cpp. Copy the file into the "
                          "README (or the README block into the file). The first block is:\n"
                       << blocks.front();
}

TEST(example, example_is_at_most_twenty_lines) {
    const std::string example = read_file(from_test_dir(STRATA_README_EXAMPLE_SOURCE));
    EXPECT_LE(std::count(example.begin(), example.end(), '\n'), 20);
}

TEST(example, example_runs_and_prints_what_the_readme_promises) {
    const auto r = run_process(from_test_dir(STRATA_README_EXAMPLE_BINARY), {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1 ann\n2 bob\nQUERY.CONSTRAINT_VIOLATION\n");
    EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace strata::cli_test
