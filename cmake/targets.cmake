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

# fmt formatters (fmt.hpp).
find_package(fmt 9 QUIET)
if(fmt_FOUND)
  streamreg_add_component(fmt LINK fmt::fmt
    HEADERS "${PROJECT_SOURCE_DIR}/include/streamreg/fmt.hpp")
endif()

# Student's t quantiles and p-values, prediction intervals (student_t.hpp): Boost.Math.
find_package(Boost 1.74 QUIET)
if(Boost_FOUND)
  streamreg_add_component(stats LINK Boost::headers
    HEADERS "${PROJECT_SOURCE_DIR}/include/streamreg/student_t.hpp")
endif()

# Several predictors (multivariate/): Eigen 3.4.
find_package(Eigen3 3.4 QUIET NO_MODULE)
if(Eigen3_FOUND)
  file(GLOB_RECURSE streamreg_eigen_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate/*.hpp")
  streamreg_add_component(eigen LINK Eigen3::Eigen HEADERS ${streamreg_eigen_headers}
    "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate.hpp")
endif()

# JSON lines (json/): simdjson.
find_package(simdjson QUIET CONFIG)
if(simdjson_FOUND)
  file(GLOB_RECURSE streamreg_json_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/json/*.hpp")
  streamreg_add_component(json LINK simdjson::simdjson HEADERS ${streamreg_json_headers})
endif()

# Kafka (kafka/): librdkafka's C and C++ clients, found through pkg-config.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET GLOBAL rdkafka++ rdkafka)
endif()
if(RDKAFKA_FOUND)
  file(GLOB_RECURSE streamreg_kafka_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/kafka/*.hpp")
  streamreg_add_component(kafka LINK PkgConfig::RDKAFKA HEADERS ${streamreg_kafka_headers})
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
