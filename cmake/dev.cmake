# Developer settings for tests, examples and benchmarks (never on the exported targets).
add_library(streamreg_dev_flags INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(streamreg_dev_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wdouble-promotion
    -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual -Wnull-dereference -Wcast-qual
    -Wformat=2 -Wundef -Wextra-semi -Wimplicit-fallthrough)
endif()

find_package(fmt 9 REQUIRED)
find_package(CLI11 REQUIRED)
