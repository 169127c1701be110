# Refuse in-source builds: they litter the source tree with generated files.
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
  message(FATAL_ERROR "In-source builds are not supported: use a build directory, "
                      "for example `cmake --preset dev`.")
endif()
