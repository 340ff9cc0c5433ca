# ccache and mold, picked up when installed (scripts/setup installs both, from Debian): unchanged
# files come from the cache in a fresh build directory, and mold links the test binaries in a
# fraction of ld.bfd's time. -DLUPINE_CCACHE=OFF or -DLUPINE_MOLD=OFF to do without.
find_program(LUPINE_CCACHE_PROGRAM ccache)
option(LUPINE_CCACHE "Compile through ccache when it is installed" ON)
if(LUPINE_CCACHE AND LUPINE_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # pch_defines,time_macros: ccache caches a file compiled with a precompiled header only with these
  # (ccache's manual, "Precompiled headers").
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros ${LUPINE_CCACHE_PROGRAM})
endif()

find_program(LUPINE_MOLD_PROGRAM mold)
option(LUPINE_MOLD "Link with mold when it is installed" ON)
if(LUPINE_MOLD AND LUPINE_MOLD_PROGRAM)
  add_link_options(-fuse-ld=mold)
endif()
