# Install rules: headers through the file sets, one export file per component, a package
# config that finds a component's dependency only when that component is requested.
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
  install(TARGETS ${target} EXPORT ${export_name} FILE_SET HEADERS)
  install(EXPORT ${export_name} NAMESPACE streamreg:: DESTINATION "${streamreg_cmake_dir}")
  export(EXPORT ${export_name} NAMESPACE streamreg::
         FILE "${PROJECT_BINARY_DIR}/${export_name}.cmake")
endforeach()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/streamreg-config.cmake.in"
  "${PROJECT_BINARY_DIR}/streamreg-config.cmake"
  INSTALL_DESTINATION "${streamreg_cmake_dir}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/streamreg-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/streamreg-config.cmake"
              "${PROJECT_BINARY_DIR}/streamreg-config-version.cmake"
        DESTINATION "${streamreg_cmake_dir}")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/streamreg")
