# Package test fixture: installs the build tree into an empty prefix, as a user would.
#   cmake -DBUILD_DIR=<build> -DPREFIX=<prefix> [-DCONFIG=<cfg>] [-DCOMPONENTS=fmt;...]
#         -P install_prefix.cmake
# A plain `cmake --install` (no --component): the default install must hold the whole package.
# The library is header-only, so the build tree needs no build first.
cmake_minimum_required(VERSION 3.23)
foreach(var IN ITEMS BUILD_DIR PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_prefix.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install '${BUILD_DIR}' --prefix '${PREFIX}' failed: ${result}")
endif()

set(expected
  share/cmake/streamreg/streamreg-config.cmake
  share/cmake/streamreg/streamreg-config-version.cmake
  share/cmake/streamreg/streamreg-components.cmake
  share/cmake/streamreg/streamreg-targets.cmake
  share/doc/streamreg/LICENSE
  include/streamreg/streamreg.hpp
  include/streamreg/version.hpp)
foreach(component IN LISTS COMPONENTS)
  list(APPEND expected share/cmake/streamreg/streamreg-${component}-targets.cmake)
endforeach()
if("fmt" IN_LIST COMPONENTS)
  list(APPEND expected include/streamreg/fmt.hpp)
endif()
if("eigen" IN_LIST COMPONENTS)
  list(APPEND expected include/streamreg/multivariate.hpp
                       include/streamreg/multivariate/regression.hpp)
endif()
if("json" IN_LIST COMPONENTS)
  list(APPEND expected include/streamreg/json/jsonl.hpp)
endif()
if("stats" IN_LIST COMPONENTS)
  list(APPEND expected include/streamreg/student_t.hpp include/streamreg/prediction.hpp)
endif()
if("kafka" IN_LIST COMPONENTS)
  list(APPEND expected include/streamreg/kafka/consumer.hpp include/streamreg/kafka/mock_cluster.hpp)
endif()
foreach(file IN LISTS expected)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "not installed: ${PREFIX}/${file}")
  endif()
endforeach()
# Only the package: no test, example or benchmark binaries.
foreach(dir IN ITEMS bin lib lib64 libexec)
  if(EXISTS "${PREFIX}/${dir}")
    message(FATAL_ERROR "the install put something in ${PREFIX}/${dir}")
  endif()
endforeach()
message(STATUS "installed streamreg into ${PREFIX}")
