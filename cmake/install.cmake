# Install rules: headers through the file sets, one export file per component, a package
# config that finds a component's dependency only when that component is requested.
# The build tree is a package too: export() writes the same export files and a config of its
# own into PROJECT_BINARY_DIR, so `-Dstreamreg_DIR=<build dir>` works without installing.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(streamreg_cmake_dir "${CMAKE_INSTALL_DATADIR}/cmake/streamreg")

foreach(component IN LISTS streamreg_components)
  if(component STREQUAL "streamreg")
    set(target streamreg)
    set(export_name streamreg-targets)
  else()
    set(target streamreg_${component})
    set(export_name streamreg-${component}-targets)
  endif()
  # No COMPONENT: a plain `cmake --install` installs the whole package.
  install(TARGETS ${target} EXPORT ${export_name} FILE_SET HEADERS)
  install(EXPORT ${export_name} NAMESPACE streamreg:: DESTINATION "${streamreg_cmake_dir}")
  export(EXPORT ${export_name} NAMESPACE streamreg::
         FILE "${PROJECT_BINARY_DIR}/${export_name}.cmake")
endforeach()

# Two configs from one template: PACKAGE_PREFIX_DIR is the install prefix in the installed
# one and the build directory in the build-tree one.
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/streamreg-config.cmake.in"
  "${PROJECT_BINARY_DIR}/install-config/streamreg-config.cmake"
  INSTALL_DESTINATION "${streamreg_cmake_dir}")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/streamreg-config.cmake.in"
  "${PROJECT_BINARY_DIR}/streamreg-config.cmake"
  INSTALL_DESTINATION "${PROJECT_BINARY_DIR}"
  INSTALL_PREFIX "${PROJECT_BINARY_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/streamreg-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
# The table of components and Debian packages the config reads its messages from.
configure_file("${PROJECT_SOURCE_DIR}/cmake/streamreg-components.cmake"
               "${PROJECT_BINARY_DIR}/streamreg-components.cmake" COPYONLY)
install(FILES "${PROJECT_BINARY_DIR}/install-config/streamreg-config.cmake"
              "${PROJECT_BINARY_DIR}/streamreg-config-version.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/streamreg-components.cmake"
        DESTINATION "${streamreg_cmake_dir}")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/streamreg")
