# Library targets. streamreg::streamreg needs only the standard library; the others exist when
# their dependency is found.
file(GLOB_RECURSE streamreg_core_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamreg/*.hpp")
list(FILTER streamreg_core_headers EXCLUDE REGEX
  "/(multivariate|json|kafka)/|/fmt\\.hpp$|/multivariate\\.hpp$|/student_t\\.hpp$")

add_library(streamreg INTERFACE)
add_library(streamreg::streamreg ALIAS streamreg)
target_compile_features(streamreg INTERFACE cxx_std_17)
target_sources(streamreg INTERFACE
  FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include" FILES ${streamreg_core_headers})
set_target_properties(streamreg PROPERTIES EXPORT_NAME streamreg)
set(streamreg_components streamreg)

# streamreg_add_component(<name> LINK <dependency target> HEADERS <files>...)
# Target streamreg_<name>, alias and export name streamreg::<name>: the headers, the core and
# the dependency.
function(streamreg_add_component name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LINK" "HEADERS")
  add_library(streamreg_${name} INTERFACE)
  add_library(streamreg::${name} ALIAS streamreg_${name})
  target_sources(streamreg_${name} INTERFACE
    FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include" FILES ${arg_HEADERS})
  target_link_libraries(streamreg_${name} INTERFACE streamreg ${arg_LINK})
  set_target_properties(streamreg_${name} PROPERTIES EXPORT_NAME ${name})
  set(streamreg_components ${streamreg_components} ${name} PARENT_SCOPE)
endfunction()

# Each optional component exists when its dependency is found (the table of components, their
# dependencies and Debian packages: streamreg-components.cmake). streamreg_component_<name>_status
# is TRUE, or what is missing, for the configure summary (cmake/summary.cmake).
include("${CMAKE_CURRENT_LIST_DIR}/streamreg-components.cmake")
set(streamreg_link_fmt fmt::fmt)
set(streamreg_link_stats Boost::headers)
set(streamreg_link_eigen Eigen3::Eigen)
set(streamreg_link_json simdjson::simdjson)
set(streamreg_link_kafka PkgConfig::RDKAFKA)
file(GLOB_RECURSE streamreg_eigen_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate/*.hpp")
file(GLOB_RECURSE streamreg_json_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamreg/json/*.hpp")
file(GLOB_RECURSE streamreg_kafka_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/streamreg/kafka/*.hpp")
set(streamreg_headers_fmt "${PROJECT_SOURCE_DIR}/include/streamreg/fmt.hpp")
set(streamreg_headers_stats "${PROJECT_SOURCE_DIR}/include/streamreg/student_t.hpp")
set(streamreg_headers_eigen ${streamreg_eigen_headers}
    "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate.hpp")
set(streamreg_headers_json ${streamreg_json_headers})
set(streamreg_headers_kafka ${streamreg_kafka_headers})
foreach(component IN LISTS _streamreg_component_names)
  _streamreg_find_component_dependency(${component} streamreg_component_${component}_status)
  if(streamreg_component_${component}_status STREQUAL "TRUE")
    streamreg_add_component(${component} LINK ${streamreg_link_${component}}
      HEADERS ${streamreg_headers_${component}})
  endif()
endforeach()

if(PROJECT_IS_TOP_LEVEL)
  foreach(t IN LISTS streamreg_components)
    if(t STREQUAL "streamreg")
      set_target_properties(streamreg PROPERTIES VERIFY_INTERFACE_HEADER_SETS ON)
    else()
      set_target_properties(streamreg_${t} PROPERTIES VERIFY_INTERFACE_HEADER_SETS ON)
    endif()
  endforeach()
endif()
