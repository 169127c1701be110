# The optional components of streamreg: what each provides, the package it needs and the
# Debian package that provides it. One table for the build (cmake/targets.cmake, the configure
# summary) and for the installed package config (installed beside streamreg-config.cmake).
# Only variables and functions prefixed _streamreg / streamreg: a consumer's scope is shared.

set(_streamreg_component_names fmt stats eigen json kafka)

# <name>_dependency: arguments of find_package (kafka: pkg-config, then its modules).
# <name>_needs: the dependency as a reader names it. <name>_debian: its Debian package(s).
set(_streamreg_component_fmt_provides "fmt formatters (streamreg/fmt.hpp)")
set(_streamreg_component_fmt_dependency fmt 9)
set(_streamreg_component_fmt_needs "fmt >= 9")
set(_streamreg_component_fmt_debian libfmt-dev)

set(_streamreg_component_stats_provides
    "t quantiles, p-values, prediction intervals (streamreg/student_t.hpp)")
set(_streamreg_component_stats_dependency Boost 1.74)
set(_streamreg_component_stats_needs "Boost.Math >= 1.74")
set(_streamreg_component_stats_debian libboost-dev)

set(_streamreg_component_eigen_provides "several predictors (streamreg/multivariate.hpp)")
set(_streamreg_component_eigen_dependency Eigen3 3.4 NO_MODULE)
set(_streamreg_component_eigen_needs "Eigen >= 3.4")
set(_streamreg_component_eigen_debian libeigen3-dev)

set(_streamreg_component_json_provides "JSON lines input (streamreg/json/)")
set(_streamreg_component_json_dependency simdjson CONFIG)
set(_streamreg_component_json_needs "simdjson")
set(_streamreg_component_json_debian libsimdjson-dev)

set(_streamreg_component_kafka_provides "Kafka consumer and producer (streamreg/kafka/)")
set(_streamreg_component_kafka_dependency PkgConfig)
set(_streamreg_component_kafka_pkg_config_modules rdkafka++ rdkafka)
set(_streamreg_component_kafka_needs "librdkafka (rdkafka++ and rdkafka, through pkg-config)")
set(_streamreg_component_kafka_debian librdkafka-dev pkg-config)

# Names a user may reach for, and the component they mean.
set(_streamreg_component_aliases
    format=fmt libfmt=fmt boost=stats math=stats boost_math=stats student_t=stats t=stats
    eigen3=eigen multivariate=eigen simdjson=json jsonl=json rdkafka=kafka librdkafka=kafka
    core=streamreg)

# _streamreg_find_component_dependency(<name> <out>): searches the dependency of a component
# quietly; <out> is TRUE when found, else the text of what is missing and how to get it.
macro(_streamreg_find_component_dependency _streamreg_name _streamreg_out)
  set(_streamreg_dep ${_streamreg_component_${_streamreg_name}_dependency})
  list(GET _streamreg_dep 0 _streamreg_dep_name)
  find_package(${_streamreg_dep} QUIET)
  if(NOT ${_streamreg_dep_name}_FOUND)
    if("${_streamreg_name}" STREQUAL "kafka")
      set(${_streamreg_out} "pkg-config was not found")
    else()
      set(${_streamreg_out} "${_streamreg_component_${_streamreg_name}_needs} was not found")
    endif()
  elseif("${_streamreg_name}" STREQUAL "kafka" AND NOT TARGET PkgConfig::RDKAFKA)
    pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET GLOBAL
                      ${_streamreg_component_kafka_pkg_config_modules})
    if(RDKAFKA_FOUND)
      set(${_streamreg_out} TRUE)
    else()
      set(${_streamreg_out} "${_streamreg_component_kafka_needs} was not found")
    endif()
  else()
    set(${_streamreg_out} TRUE)
  endif()
  unset(_streamreg_dep)
  unset(_streamreg_dep_name)
endmacro()

# _streamreg_component_install_hint(<name> <out>): "sudo apt install <packages>".
function(_streamreg_component_install_hint name out)
  list(JOIN _streamreg_component_${name}_debian " " packages)
  set(${out} "sudo apt install ${packages}" PARENT_SCOPE)
endfunction()

# _streamreg_edit_distance(<a> <b> <out>): Levenshtein distance, for "did you mean".
function(_streamreg_edit_distance a b out)
  string(LENGTH "${a}" la)
  string(LENGTH "${b}" lb)
  set(previous "")
  foreach(j RANGE 0 ${lb})
    list(APPEND previous ${j})
  endforeach()
  if(la EQUAL 0)
    set(${out} ${lb} PARENT_SCOPE)
    return()
  endif()
  foreach(i RANGE 1 ${la})
    math(EXPR im1 "${i} - 1")
    string(SUBSTRING "${a}" ${im1} 1 ca)
    set(current ${i})
    if(lb GREATER 0)
      foreach(j RANGE 1 ${lb})
        math(EXPR jm1 "${j} - 1")
        string(SUBSTRING "${b}" ${jm1} 1 cb)
        list(GET previous ${jm1} diagonal)
        list(GET previous ${j} up)
        list(GET current ${jm1} left)
        if(ca STREQUAL cb)
          set(best ${diagonal})
        else()
          math(EXPR best "${diagonal} + 1")
        endif()
        math(EXPR up "${up} + 1")
        math(EXPR left "${left} + 1")
        if(up LESS best)
          set(best ${up})
        endif()
        if(left LESS best)
          set(best ${left})
        endif()
        list(APPEND current ${best})
      endforeach()
    endif()
    set(previous ${current})
  endforeach()
  list(GET previous ${lb} distance)
  set(${out} ${distance} PARENT_SCOPE)
endfunction()

# _streamreg_unknown_component_message(<name> <out>): names the unknown component and the
# nearest known one.
function(_streamreg_unknown_component_message name out)
  string(TOLOWER "${name}" lower)
  set(suggestion "")
  foreach(alias IN LISTS _streamreg_component_aliases)
    string(REPLACE "=" ";" pair "${alias}")
    list(GET pair 0 from)
    list(GET pair 1 to)
    if(lower STREQUAL from)
      set(suggestion ${to})
    endif()
  endforeach()
  if(NOT suggestion)
    set(best_distance 3)  # at most two edits away
    foreach(known IN ITEMS streamreg ${_streamreg_component_names})
      _streamreg_edit_distance("${lower}" "${known}" distance)
      if(distance LESS best_distance)
        set(best_distance ${distance})
        set(suggestion ${known})
      endif()
    endforeach()
  endif()
  set(text "streamreg has no component '${name}'")
  if(suggestion)
    string(APPEND text " (did you mean '${suggestion}'?)")
  endif()
  set(${out} "${text}." PARENT_SCOPE)
endfunction()

# _streamreg_component_list(<out>): every component with the Debian package it needs.
function(_streamreg_component_list out)
  set(text "streamreg's components (Debian packages they need): streamreg (the core, none)")
  foreach(known IN LISTS _streamreg_component_names)
    list(JOIN _streamreg_component_${known}_debian " " packages)
    string(APPEND text ", ${known} (${packages})")
  endforeach()
  set(${out} "${text}." PARENT_SCOPE)
endfunction()
