# Library targets. streamreg::streamreg needs only the standard library; the others exist when
# their dependency is found.
file(GLOB_RECURSE streamreg_core_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamreg/*.hpp")
list(FILTER streamreg_core_headers EXCLUDE REGEX "/(multivariate|json|kafka)/|/fmt\\.hpp$|/multivariate\\.hpp$")

add_library(streamreg INTERFACE)
add_library(streamreg::streamreg ALIAS streamreg)
target_compile_features(streamreg INTERFACE cxx_std_17)
target_sources(streamreg INTERFACE
  FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include" FILES ${streamreg_core_headers})
set_target_properties(streamreg PROPERTIES EXPORT_NAME streamreg)
set(streamreg_components streamreg)

# fmt formatters (fmt.hpp).
find_package(fmt 9 QUIET)
if(fmt_FOUND)
  add_library(streamreg_fmt INTERFACE)
  add_library(streamreg::fmt ALIAS streamreg_fmt)
  target_sources(streamreg_fmt INTERFACE
    FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include"
    FILES "${PROJECT_SOURCE_DIR}/include/streamreg/fmt.hpp")
  target_link_libraries(streamreg_fmt INTERFACE streamreg fmt::fmt)
  set_target_properties(streamreg_fmt PROPERTIES EXPORT_NAME fmt)
  list(APPEND streamreg_components fmt)
endif()

if(PROJECT_IS_TOP_LEVEL)
  foreach(t IN LISTS streamreg_components)
    if(t STREQUAL "streamreg")
      set_target_properties(streamreg PROPERTIES VERIFY_INTERFACE_HEADER_SETS ON)
    else()
      set_target_properties(streamreg_${t} PROPERTIES VERIFY_INTERFACE_HEADER_SETS ON)
    endif()
  endforeach()
endif()
