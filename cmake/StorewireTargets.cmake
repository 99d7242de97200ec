# Helpers that give every target the same flags and the same shape.

set(STOREWIRE_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)
if(STOREWIRE_WERROR)
  list(APPEND STOREWIRE_WARNINGS -Werror)
endif()

if(STOREWIRE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Adds every direct subdirectory of DIR that has a CMakeLists.txt (recursing
# into folders such as libs/stores that only group libraries).
# STOREWIRE_EXCLUDE_REGEX (cache, default empty) skips matching directories:
# handy while a directory is half-written in a shared work tree.
set(STOREWIRE_EXCLUDE_REGEX "" CACHE STRING "Skip source directories matching this regex")
function(storewire_add_subdirectories dir)
  file(GLOB children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/${dir} ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    set(path ${dir}/${child})
    if(STOREWIRE_EXCLUDE_REGEX AND path MATCHES "${STOREWIRE_EXCLUDE_REGEX}")
      continue()
    endif()
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${path})
      if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${path}/CMakeLists.txt)
        add_subdirectory(${path})
      else()
        storewire_add_subdirectories(${path})
      endif()
    endif()
  endforeach()
endfunction()

# storewire_library(NAME name SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates storewire_<name> with alias storewire::<name>; headers under include/.
function(storewire_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(storewire_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(storewire::${ARG_NAME} ALIAS storewire_${ARG_NAME})
  target_include_directories(storewire_${ARG_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_options(storewire_${ARG_NAME} PRIVATE ${STOREWIRE_WARNINGS})
  target_link_libraries(storewire_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# storewire_binary(NAME storewire-x SOURCES ... DEPS ...)
function(storewire_binary)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${STOREWIRE_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
endfunction()

# storewire_test(NAME name SOURCES ... DEPS ... [LABELS unit|integration|e2e])
# A GoogleTest binary registered with ctest (one ctest entry per binary so that
# the label and the environment apply to all its cases).
function(storewire_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_compile_options(${ARG_NAME} PRIVATE ${STOREWIRE_WARNINGS})
  target_compile_definitions(${ARG_NAME} PRIVATE
    STOREWIRE_SOURCE_DIR="${CMAKE_SOURCE_DIR}" STOREWIRE_BINARY_DIR="${CMAKE_BINARY_DIR}")
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} --gtest_color=no)
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
endfunction()

# storewire_fuzzer(NAME name SOURCES ... DEPS ... CORPUS dir)
# With STOREWIRE_FUZZ (clang) a libFuzzer binary; otherwise the same entry
# point is linked with a small driver that replays the corpus. Either way the
# seed corpus runs in ctest as a regression test.
function(storewire_fuzzer)
  cmake_parse_arguments(ARG "" "NAME;CORPUS" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  target_compile_options(${ARG_NAME} PRIVATE ${STOREWIRE_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  if(STOREWIRE_FUZZ)
    target_compile_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} -runs=0 ${ARG_CORPUS})
  else()
    target_sources(${ARG_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus_driver.cc)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} ${ARG_CORPUS})
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()

# storewire_benchmark(NAME name SOURCES ... DEPS ...): not run by ctest.
function(storewire_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  if(NOT STOREWIRE_BENCH)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  target_compile_options(${ARG_NAME} PRIVATE ${STOREWIRE_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()
