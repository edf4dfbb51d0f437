# rivulet_library(NAME SOURCES a.cc b.cc DEPS PUBLIC x PRIVATE y)
#   Builds the component library `rivulet_<NAME>` (alias rivulet::<NAME>); includes start at src/.
function(rivulet_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(rivulet_${name} STATIC ${ARG_SOURCES})
  add_library(rivulet::${name} ALIAS rivulet_${name})
  target_include_directories(rivulet_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  if(ARG_DEPS)
    target_link_libraries(rivulet_${name} ${ARG_DEPS})
  endif()
endfunction()

# rivulet_test(NAME SOURCES a_test.cc DEPS rivulet::x LABEL component)
#   One GoogleTest binary per component, registered with ctest under the label
#   (`ctest -L stream`).
function(rivulet_test name)
  if(NOT RIVULET_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL};unit" TIMEOUT 300)
endfunction()

# rivulet_fuzz(NAME SOURCES x_fuzz.cc DEPS rivulet::x)
#   A libFuzzer target, built only with -DRIVULET_FUZZ=ON and clang++-14
#   (scripts/fuzz). Also registered with ctest as a short bounded run over
#   its seed corpus folder `<source dir>/corpus/<NAME>` when it exists.
function(rivulet_fuzz name)
  if(NOT RIVULET_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} -fsanitize=fuzzer)
  set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name})
  if(EXISTS ${corpus})
    # libFuzzer writes new inputs into the first folder: keep them in the
    # build tree, read the seeds from the source tree.
    set(found ${CMAKE_CURRENT_BINARY_DIR}/corpus-found/${name})
    file(MAKE_DIRECTORY ${found})
    add_test(NAME ${name} COMMAND ${name} -runs=20000 -max_len=65536 ${found} ${corpus})
  else()
    add_test(NAME ${name} COMMAND ${name} -runs=20000 -max_len=65536)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()
