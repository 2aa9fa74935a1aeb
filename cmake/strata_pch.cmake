# Precompiled headers (issue 14, docs/decisions/0017-build-speed.md).
#
# STRATA_PCH=ON gives the targets that call strata_precompile_headers() one precompiled
# header each. It is off by default and in the release, tsan and fuzz presets, which
# therefore still compile every unit on its own includes and catch a missing #include
# the precompiled header would hide.
#
# Only system headers go in: the standard headers strata's public headers include, and
# third-party headers (nlohmann/json, gtest). CMake's generated PCH header starts with
# `#pragma GCC system_header`, which makes everything it includes a system header: a
# strata or relay header in it would lose its warnings in every unit using the PCH.
# Measured, strata.hpp or relay's test fixture in the PCH saved no more than these.
#
# ccache caches a unit compiled with a precompiled header only with
#   sloppiness = pch_defines,time_macros
# (cmake/build_env.sh exports CCACHE_SLOPPINESS for scripts/test and scripts/run). Without
# it every such unit is compiled again ("can't use precompiled header" in ccache -s):
# correct, only slower.
#
#   strata_precompile_headers(<target> [<header>...] [SKIP <source>...])
# precompiles the standard headers below and <header>... (as CMake takes them:
# <angle/bracketed.hpp>); the SKIP sources, which need none of it, compile without.
option(STRATA_PCH "Precompiled headers for the targets where they were measured to pay (docs/decisions/0017)" OFF)

# What strata's public headers (include/, drivers/*/include) include from the standard library.
set(STRATA_PCH_STD_HEADERS
  <algorithm> <any> <array> <atomic> <chrono> <concepts> <cstddef> <cstdint> <exception>
  <functional> <iterator> <limits> <list> <map> <memory> <mutex> <optional> <ranges>
  <source_location> <stdexcept> <string> <string_view> <tuple> <type_traits>
  <unordered_map> <utility> <variant> <vector>)

function(strata_precompile_headers target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SKIP")
  if(NOT STRATA_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE ${STRATA_PCH_STD_HEADERS} ${arg_UNPARSED_ARGUMENTS})
  if(arg_SKIP)
    set_source_files_properties(${arg_SKIP} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()
