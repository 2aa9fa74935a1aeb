# Fuzz targets (tests/fuzz). Each target is one file defining LLVMFuzzerTestOneInput.
#
# With STRATA_FUZZ=ON (the `fuzz` preset, clang-14) a target becomes a libFuzzer
# executable <name>_fuzz in ${CMAKE_BINARY_DIR}/fuzzers, run by scripts/fuzz. The
# libraries it links are compiled with -fsanitize=fuzzer-no-link,address,undefined by
# the preset's CMAKE_CXX_FLAGS; only the executables link -fsanitize=fuzzer.
#
# Otherwise (the normal GCC build) the same file is linked with replay_main.cpp into
# fuzz_replay_<name> and registered as the test fuzz.replay.<name>, which runs the target
# once on every file of tests/fuzz/corpus/<name> and tests/fuzz/crashes/<name>.
#
# Adding a target is one call in tests/fuzz/CMakeLists.txt:
#   strata_add_fuzz_target(<name> SOURCES <name>_fuzz.cpp [more.cpp...]
#                          [LIBS <targets...>] [INCLUDES <dirs...>])
# plus a seed folder tests/fuzz/corpus/<name>/.
option(STRATA_FUZZ "Build libFuzzer targets (clang only; see the fuzz preset)" OFF)

if(STRATA_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "STRATA_FUZZ needs clang (use `cmake --preset fuzz`)")
endif()

set(STRATA_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)

# <fuzzer/FuzzedDataProvider.h> is header-only and ships with clang's runtime
# (libclang-rt-14-dev); the GCC replay build takes it from there.
if(NOT STRATA_FUZZ)
  file(GLOB strata_fuzz_fdp_hints /usr/lib/llvm-*/lib/clang/*/include)
  find_path(STRATA_FUZZED_DATA_PROVIDER_DIR fuzzer/FuzzedDataProvider.h HINTS ${strata_fuzz_fdp_hints})
  if(NOT STRATA_FUZZED_DATA_PROVIDER_DIR)
    message(FATAL_ERROR "fuzzer/FuzzedDataProvider.h not found: run scripts/bootstrap (libclang-rt-14-dev)")
  endif()
  # Only that header: clang's own stddef.h and friends next to it break GCC.
  set(strata_fuzz_include ${CMAKE_BINARY_DIR}/fuzz_include)
  configure_file(${STRATA_FUZZED_DATA_PROVIDER_DIR}/fuzzer/FuzzedDataProvider.h
                 ${strata_fuzz_include}/fuzzer/FuzzedDataProvider.h COPYONLY)
endif()

if(NOT TARGET fuzz_all)
  # Builds every fuzzer (STRATA_FUZZ) or every replay test (otherwise).
  add_custom_target(fuzz_all)
endif()

function(strata_add_fuzz_target name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBS;INCLUDES")
  if(STRATA_FUZZ)
    set(exe ${name}_fuzz)
    add_executable(${exe} ${arg_SOURCES})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzzers)
  else()
    set(exe fuzz_replay_${name})
    add_executable(${exe} ${arg_SOURCES} ${STRATA_FUZZ_DIR}/replay_main.cpp)
    target_link_libraries(${exe} PRIVATE $<BUILD_INTERFACE:strata_build_options>)
    # SYSTEM: the header is not ours to hold to -Wconversion.
    target_include_directories(${exe} SYSTEM PRIVATE ${strata_fuzz_include})
    add_test(NAME fuzz.replay.${name}
             COMMAND ${exe} ${STRATA_FUZZ_DIR}/corpus/${name} ${STRATA_FUZZ_DIR}/crashes/${name})
    set_tests_properties(fuzz.replay.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
  target_include_directories(${exe} PRIVATE ${STRATA_FUZZ_DIR} ${arg_INCLUDES})
  target_link_libraries(${exe} PRIVATE ${arg_LIBS})
  add_dependencies(fuzz_all ${exe})
  set_property(GLOBAL APPEND PROPERTY STRATA_FUZZ_TARGETS ${name})
endfunction()

# Called once all targets are added: the list scripts/fuzz runs.
function(strata_write_fuzz_target_list)
  get_property(names GLOBAL PROPERTY STRATA_FUZZ_TARGETS)
  list(JOIN names "\n" text)
  file(WRITE ${CMAKE_BINARY_DIR}/fuzz_targets.txt "${text}\n")
endfunction()
