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

# Several predictors (multivariate/): Eigen 3.4.
find_package(Eigen3 3.4 QUIET NO_MODULE)
if(Eigen3_FOUND)
  file(GLOB_RECURSE streamreg_eigen_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate/*.hpp")
  add_library(streamreg_eigen INTERFACE)
  add_library(streamreg::eigen ALIAS streamreg_eigen)
  target_sources(streamreg_eigen INTERFACE
    FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include"
    FILES ${streamreg_eigen_headers} "${PROJECT_SOURCE_DIR}/include/streamreg/multivariate.hpp")
  target_link_libraries(streamreg_eigen INTERFACE streamreg Eigen3::Eigen)
  set_target_properties(streamreg_eigen PROPERTIES EXPORT_NAME eigen)
  list(APPEND streamreg_components eigen)
endif()

# JSON lines (json/): simdjson.
find_package(simdjson QUIET CONFIG)
if(simdjson_FOUND)
  file(GLOB_RECURSE streamreg_json_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/json/*.hpp")
  add_library(streamreg_json INTERFACE)
  add_library(streamreg::json ALIAS streamreg_json)
  target_sources(streamreg_json INTERFACE
    FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include" FILES ${streamreg_json_headers})
  target_link_libraries(streamreg_json INTERFACE streamreg simdjson::simdjson)
  set_target_properties(streamreg_json PROPERTIES EXPORT_NAME json)
  list(APPEND streamreg_components json)
endif()

# Kafka (kafka/): librdkafka's C and C++ clients, found through pkg-config.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET GLOBAL rdkafka++ rdkafka)
endif()
if(RDKAFKA_FOUND)
  file(GLOB_RECURSE streamreg_kafka_headers CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/streamreg/kafka/*.hpp")
  add_library(streamreg_kafka INTERFACE)
  add_library(streamreg::kafka ALIAS streamreg_kafka)
  target_sources(streamreg_kafka INTERFACE
    FILE_SET HEADERS BASE_DIRS "${PROJECT_SOURCE_DIR}/include" FILES ${streamreg_kafka_headers})
  target_link_libraries(streamreg_kafka INTERFACE streamreg PkgConfig::RDKAFKA)
  set_target_properties(streamreg_kafka PROPERTIES EXPORT_NAME kafka)
  list(APPEND streamreg_components kafka)
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
