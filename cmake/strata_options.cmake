# Compile options shared by every strata target (not exported to users).
add_library(strata_build_options INTERFACE)
target_compile_options(strata_build_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(STRATA_WARNINGS_AS_ERRORS)
  target_compile_options(strata_build_options INTERFACE -Werror)
endif()
if(STRATA_SANITIZE AND STRATA_TSAN)
  message(FATAL_ERROR "STRATA_SANITIZE (ASan + UBSan) and STRATA_TSAN cannot be combined")
endif()
if(STRATA_TSAN)  # the tsan preset: scripts/tsan runs the concurrency tests under it
  # Asio's fenced blocks use std::atomic_thread_fence, which TSan does not model (GCC
  # warns with -Wtsan); its handler queues are mutex-protected, which TSan does see.
  target_compile_options(strata_build_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  target_link_options(strata_build_options INTERFACE -fsanitize=thread)
endif()
if(STRATA_SANITIZE)
  target_compile_options(strata_build_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(strata_build_options INTERFACE -fsanitize=address,undefined)
endif()
# GCC 12 reports -Wrestrict false positives inside std::string concatenation when it
# inlines at -O2/-O3 (GCC bug 105329), which -Werror turned into failed release builds
# (./scripts/run). The warning is off for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(strata_build_options INTERFACE -Wno-restrict)
endif()

# Linker for strata's own programs (tests, tools, relay). The sanitized test programs are
# large (debug info + ASan); mold links them in a fraction of GNU ld's CPU time
# (docs/decisions/0017-build-speed.md). STRATA_LINKER=auto takes mold, else lld, else the
# compiler's default; name one to force it, or "default" to keep the compiler's.
set(STRATA_LINKER "auto" CACHE STRING "Linker for strata's programs: auto, mold, lld, gold or default")
set_property(CACHE STRATA_LINKER PROPERTY STRINGS auto mold lld gold default)
set(_strata_linkers "")
if(STRATA_LINKER STREQUAL "auto")
  set(_strata_linkers mold lld)
elseif(NOT STRATA_LINKER STREQUAL "default")
  set(_strata_linkers ${STRATA_LINKER})
endif()
set(STRATA_LINKER_USED "default")
if(_strata_linkers)
  include(CheckLinkerFlag)
  foreach(_linker IN LISTS _strata_linkers)
    string(MAKE_C_IDENTIFIER "STRATA_HAS_LD_${_linker}" _var)
    check_linker_flag(CXX "-fuse-ld=${_linker}" ${_var})
    if(${_var})
      target_link_options(strata_build_options INTERFACE "-fuse-ld=${_linker}")
      set(STRATA_LINKER_USED ${_linker})
      break()
    endif()
  endforeach()
  if(STRATA_LINKER_USED STREQUAL "default" AND NOT STRATA_LINKER STREQUAL "auto")
    message(FATAL_ERROR "strata: STRATA_LINKER=${STRATA_LINKER}, but the compiler cannot link with it")
  endif()
endif()
message(STATUS "strata: linking programs with the ${STRATA_LINKER_USED} linker")
