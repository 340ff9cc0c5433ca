# The layers of ../shared/DESIGN.md as CMake targets, and the record the layering check reads.
#
# lupine_layer(NAME [DIR D] DEPS ...): a static library lupine_NAME from src/D/*.cpp (D defaults to
# NAME), its headers included as "D/x.h". DEPS are what it links; a lupine library among them is one
# whose headers it may include, and must (the check, scripts/check-layers, refuses both an
# include of a library not listed and a listed library never included).
function(lupine_layer name)
  cmake_parse_arguments(L "" "DIR" "DEPS" ${ARGN})
  if(NOT L_DIR)
    set(L_DIR ${name})
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${L_DIR}/*.cpp)
  add_library(lupine_${name} STATIC ${sources})
  target_include_directories(lupine_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(lupine_${name} PUBLIC ${L_DEPS})
  lupine_record_layer(lupine_${name} src/${L_DIR} library ${L_DEPS})
endfunction()

# lupine_record_layer(TARGET FOLDER KIND DEPS...): one line of build/layers.txt,
# "KIND TARGET FOLDER DEP,DEP,..." with only the lupine libraries among DEPS. KIND is `library`
# (includes checked against its direct DEPS) or `test` (against everything its DEPS link).
function(lupine_record_layer target folder kind)
  set(lupine_deps "")
  foreach(dep ${ARGN})
    if(dep MATCHES "^lupine_" AND NOT dep MATCHES "_headers$")
      list(APPEND lupine_deps ${dep})
    endif()
  endforeach()
  list(JOIN lupine_deps "," joined)
  if(joined STREQUAL "")
    set(joined "-")
  endif()
  set_property(GLOBAL APPEND PROPERTY LUPINE_LAYER_RECORD "${kind} ${target} ${folder} ${joined}")
endfunction()

# Writes build/layers.txt once every layer and test is declared.
function(lupine_write_layer_record file)
  get_property(lines GLOBAL PROPERTY LUPINE_LAYER_RECORD)
  list(JOIN lines "\n" text)
  file(WRITE ${file} "${text}\n")
endfunction()

# lupine_layer_tests(NAME [DIR D] DEPS ...): one GoogleTest binary test_NAME from tests/D/*.cpp
# (D defaults to NAME).
function(lupine_layer_tests name)
  cmake_parse_arguments(L "" "DIR" "DEPS" ${ARGN})
  if(NOT L_DIR)
    set(L_DIR ${name})
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${L_DIR}/*.cpp)
  add_executable(test_${name} ${sources})
  target_link_libraries(test_${name} PRIVATE ${L_DEPS} lupine_testsupport GTest::gtest_main GTest::gmock)
  gtest_discover_tests(test_${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "LUPINE_BINARY=$<TARGET_FILE:lupine>")
  add_dependencies(test_${name} lupine)
  lupine_record_layer(test_${name} tests/${L_DIR} test ${L_DEPS})
endfunction()
