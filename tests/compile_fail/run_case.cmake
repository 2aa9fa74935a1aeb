# Compiles one case and checks the outcome its first line announces:
#   // expect: COMPILES           -> must compile
#   // expect: <regex>            -> must fail, with a diagnostic matching <regex>
# Inputs: CXX, SOURCE, INCLUDES (;-separated), FLAGS
file(STRINGS "${SOURCE}" first LIMIT_COUNT 1)
string(REGEX REPLACE "^// expect: " "" expect "${first}")
set(args -std=c++20 -fsyntax-only)
foreach(dir IN LISTS INCLUDES)
  list(APPEND args "-I${dir}")
endforeach()
execute_process(COMMAND "${CXX}" ${args} "${SOURCE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(expect STREQUAL "COMPILES")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "expected ${SOURCE} to compile:\n${err}")
  endif()
else()
  if(rc EQUAL 0)
    message(FATAL_ERROR "expected ${SOURCE} NOT to compile, but it did")
  endif()
  if(NOT err MATCHES "${expect}")
    message(FATAL_ERROR "${SOURCE} failed to compile, but not with a diagnostic matching '${expect}':\n${err}")
  endif()
endif()
