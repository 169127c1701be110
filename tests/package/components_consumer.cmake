# Included by both consumer projects: builds components_consumer.cpp against the components in
# `components` (targets streamreg::<name> already defined) and adds it to `run_tests`.
add_executable(components_consumer "${CMAKE_CURRENT_LIST_DIR}/components_consumer.cpp")
foreach(component IN LISTS components)
  if(NOT TARGET streamreg::${component})
    message(FATAL_ERROR "streamreg::${component} is not defined")
  endif()
  target_link_libraries(components_consumer PRIVATE streamreg::${component})
  string(TOUPPER "${component}" upper)
  target_compile_definitions(components_consumer PRIVATE STREAMREG_WITH_${upper})
endforeach()
add_test(NAME components_consumer COMMAND components_consumer)
list(APPEND run_tests components_consumer)
