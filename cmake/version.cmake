# Reads MAJOR.MINOR.PATCH from the STREAMREG_VERSION_* macros of version.hpp.
function(streamreg_read_version out header)
  file(STRINGS "${header}" lines REGEX "#define STREAMREG_VERSION_(MAJOR|MINOR|PATCH) ")
  foreach(part MAJOR MINOR PATCH)
    string(REGEX MATCH "STREAMREG_VERSION_${part} ([0-9]+)" _ "${lines}")
    set(${part} "${CMAKE_MATCH_1}")
  endforeach()
  set(${out} "${MAJOR}.${MINOR}.${PATCH}" PARENT_SCOPE)
endfunction()
