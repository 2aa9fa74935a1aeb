# Compile options shared by every strata target (not exported to users).
add_library(strata_build_options INTERFACE)
target_compile_options(strata_build_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(STRATA_WARNINGS_AS_ERRORS)
  target_compile_options(strata_build_options INTERFACE -Werror)
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
