// Replays fuzz inputs without libFuzzer: the GCC build links each target with this main
// and runs it over its seed corpus and regression folder (tests fuzz.replay.<name>). A
// violated property aborts, which fails the test; the input being run is printed first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_under(const fs::path& root) {
    std::vector<fs::path> out;
    if (fs::is_regular_file(root)) {
        out.push_back(root);
        return out;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        // Dot files (.gitkeep) keep empty folders in git; they are not inputs.
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with('.'))
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::size_t runs = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path root = argv[i];
        if (!fs::exists(root)) {
            std::fprintf(stderr, "replay: %s does not exist\n", root.c_str());
            return 2;
        }
        for (const auto& file : inputs_under(root)) {
            std::ifstream in(file, std::ios::binary);
            const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
            (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++runs;
        }
    }
    std::fprintf(stderr, "replay: %zu inputs, all properties held\n", runs);
    return 0;
}
