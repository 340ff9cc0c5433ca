# lupine_system_library(VAR LIBRARY_FILE): sets VAR to the SONAME of the shared library LIBRARY_FILE
# (e.g. /usr/lib/x86_64-linux-gnu/libcurl.so → "libcurl.so.4") and VAR_DIR to its directory.
# lupine opens some libraries with dlopen on first use instead of linking them (common/system_library.h):
# the name it opens is the one the linker would have recorded as NEEDED.
function(lupine_system_library var file)
  file(REAL_PATH "${file}" real)
  get_filename_component(dir "${real}" DIRECTORY)
  set(soname "")
  if(CMAKE_OBJDUMP)
    execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${real}" OUTPUT_VARIABLE dump ERROR_QUIET RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND dump MATCHES "SONAME +([^ \n]+)")
      set(soname "${CMAKE_MATCH_1}")
    endif()
  endif()
  if(NOT soname)
    # No objdump: the versioned file name by convention (libcurl.so.4.8.0 → libcurl.so.4).
    get_filename_component(name "${real}" NAME)
    if(name MATCHES "^(.+\\.so\\.[0-9]+)")
      set(soname "${CMAKE_MATCH_1}")
    else()
      set(soname "${name}")
    endif()
  endif()
  set(${var} "${soname}" PARENT_SCOPE)
  set(${var}_DIR "${dir}" PARENT_SCOPE)
endfunction()
