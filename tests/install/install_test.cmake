# Run by ctest with -DSTEP=install|find_package|pkg_config (see CMakeLists.txt).
#   install       cmake --install STRATA_BUILD_DIR --prefix WORK_DIR/prefix (from scratch)
#   find_package  configure, build and run consumer/ with CMAKE_PREFIX_PATH=prefix
#   pkg_config    compile consumer/main.cpp with `pkg-config --cflags --libs strata`
cmake_minimum_required(VERSION 3.25)

set(prefix ${WORK_DIR}/prefix)
set(expected_output "consumer ok: 2 rows, QUERY.CONSTRAINT_VIOLATION")
# The installed libraries of a sanitizer build need the sanitizer runtimes at link time.
set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags -fsanitize=address,undefined)
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

function(check_consumer program)
  run(${program})
  string(STRIP "${run_output}" got)
  if(NOT got STREQUAL expected_output)
    message(FATAL_ERROR "${program} printed '${got}', expected '${expected_output}'")
  endif()
  message(STATUS "${program}: ${got}")
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${WORK_DIR})
  run(${CMAKE_COMMAND} --install ${STRATA_BUILD_DIR} --prefix ${prefix})
  foreach(f include/strata/strata.hpp include/strata/sqlite.hpp include/strata/postgres.hpp
            include/strata/postgres/listener.hpp include/strata/postgres/notify.hpp)
    if(NOT EXISTS ${prefix}/${f})
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  file(GLOB_RECURSE internal_headers ${prefix}/include/*internal* ${prefix}/include/*detail*)
  if(internal_headers)
    message(FATAL_ERROR "internal headers were installed: ${internal_headers}")
  endif()
  file(GLOB_RECURSE configs ${prefix}/*/strata-config.cmake)
  file(GLOB_RECURSE pcs ${prefix}/*/strata.pc)
  if(NOT configs OR NOT pcs)
    message(FATAL_ERROR "missing package files: config='${configs}' pc='${pcs}'")
  endif()
  message(STATUS "installed into ${prefix}: ${configs} ${pcs}")

elseif(STEP STREQUAL "find_package")
  set(build ${WORK_DIR}/find_package-build)
  file(REMOVE_RECURSE ${build})
  string(REPLACE ";" " " flags "${sanitize_flags}")
  run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${build} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
      "-DCMAKE_CXX_FLAGS=${flags}"
      "-DCMAKE_EXE_LINKER_FLAGS=${flags}")
  run(${CMAKE_COMMAND} --build ${build})
  check_consumer(${build}/consumer)

elseif(STEP STREQUAL "pkg_config")
  file(GLOB_RECURSE pcs ${prefix}/*/strata.pc)
  list(GET pcs 0 pc)
  get_filename_component(pc_dir ${pc} DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pc_dir})
  find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
  run(${PKG_CONFIG} --cflags --libs strata)
  string(STRIP "${run_output}" pc_flags)
  message(STATUS "pkg-config --cflags --libs strata: ${pc_flags}")
  separate_arguments(pc_list UNIX_COMMAND "${pc_flags}")
  # The flags must lead to this prefix, wherever the package was configured to go.
  get_filename_component(want_include ${prefix}/include REALPATH)
  set(found_include OFF)
  foreach(flag IN LISTS pc_list)
    if(flag MATCHES "^-I(.+)$")
      get_filename_component(dir "${CMAKE_MATCH_1}" REALPATH)
      if(dir STREQUAL want_include)
        set(found_include ON)
      endif()
    endif()
  endforeach()
  if(NOT found_include)
    message(FATAL_ERROR "pkg-config --cflags does not point at ${prefix}/include: ${pc_flags}\n"
      "strata.pc names the prefix chosen at configure time, so `cmake --install --prefix` leaves "
      "it pointing elsewhere: derive prefix from \${pcfiledir} in cmake/strata.pc.in.")
  endif()
  set(program ${WORK_DIR}/pkg_config-consumer)
  run(${CXX} ${CONSUMER_DIR}/main.cpp -o ${program} ${sanitize_flags} ${pc_list})
  check_consumer(${program})

else()
  message(FATAL_ERROR "unknown STEP '${STEP}'")
endif()
