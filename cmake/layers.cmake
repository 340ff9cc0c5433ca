# lupine_layer(NAME DEPS ...): a static library from src/NAME/*.cpp, headers included as "NAME/x.h".
function(lupine_layer name)
  cmake_parse_arguments(L "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  add_library(lupine_${name} STATIC ${sources})
  target_include_directories(lupine_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(lupine_${name} PUBLIC ${L_DEPS})
endfunction()

# lupine_layer_tests(NAME DEPS ...): one GoogleTest binary per layer from tests/NAME/*.cpp.
function(lupine_layer_tests name)
  cmake_parse_arguments(L "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*.cpp)
  add_executable(test_${name} ${sources})
  target_link_libraries(test_${name} PRIVATE ${L_DEPS} lupine_testsupport GTest::gtest_main GTest::gmock)
  gtest_discover_tests(test_${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "LUPINE_BINARY=$<TARGET_FILE:lupine>")
  add_dependencies(test_${name} lupine)
endfunction()
