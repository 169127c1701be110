# Developer settings for tests, examples and benchmarks (never on the exported targets).
add_library(streamreg_dev_flags INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(streamreg_dev_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wdouble-promotion
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual -Wnull-dereference -Wcast-qual
    -Wformat=2 -Wundef -Wextra-semi -Wimplicit-fallthrough)
endif()

# The examples' CLI11 and fmt were searched by streamreg_check_developer_dependencies()
# (cmake/summary.cmake), which switches the examples off when one is missing.
