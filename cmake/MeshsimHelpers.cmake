# Project-wide helpers: warning flags and the one function that registers a test.

function(meshsim_set_warnings target)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor)
    if(MESHSIM_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# meshsim_add_library(<name> <sources...> [DEPS <targets...>])
# One static library per folder; includes are written from the project root ("models/retry.h").
function(meshsim_add_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_compile_features(${name} PUBLIC cxx_std_20)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
    meshsim_set_warnings(${name})
    meshsim_optimise_across_files(${name})
endfunction()

# meshsim_optimise_across_files(<target>)
# Link-time optimisation (GCC, optimised builds, MESHSIM_LTO): the hot path crosses many small
# files (models/ has a file per mechanism), and inlining across them keeps it as fast as one big
# file. Libraries carry both LTO bytecode and ordinary code (fat objects): the executables users
# run (meshsim-cli, the benchmarks) link with LTO, the tests link the ordinary code quickly.
function(meshsim_optimise_across_files target)
    if(NOT MESHSIM_LTO_ACTIVE)
        return()
    endif()
    set_property(TARGET ${target} PROPERTY INTERPROCEDURAL_OPTIMIZATION ON)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
        target_compile_options(${target} PRIVATE -ffat-lto-objects)
    endif()
endfunction()

# meshsim_add_test(<name> [GUI] [SIMGRID] [SLOW] [SOURCES ...] [LIBS ...] [ARGS ...]
#                  [FUNCTIONS f1 f2:tag ...])
# With FUNCTIONS, each listed Qt Test function (or function:datatag) is its own ctest test, run
# in a process of its own: SimGrid allows one engine per process.
# One executable per unit (tst_<unit>.cpp), Qt Test, registered with ctest and labelled:
#   unit     fast, deterministic, no GUI, no SimGrid (also run under ASan/UBSan)
#   gui      Qt Widgets, run with -platform offscreen
#   simgrid  one SimGrid engine per process
#   slow     statistical validation runs (excluded from the sanitizer job)
function(meshsim_add_test name)
    cmake_parse_arguments(ARG "GUI;SIMGRID;SLOW" "TIMEOUT" "SOURCES;LIBS;ARGS;FUNCTIONS" ${ARGN})
    add_executable(${name} ${name}.cpp ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test meshsim_test_support ${ARG_LIBS})
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    meshsim_set_warnings(${name})
    set(args ${ARG_ARGS})
    set(labels "unit")
    if(ARG_GUI)
        list(APPEND args -platform offscreen)
        set(labels "gui")
    endif()
    if(ARG_SIMGRID)
        set(labels "simgrid")
    endif()
    if(ARG_SLOW)
        set(labels "slow")
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set(tests "")
    if(ARG_FUNCTIONS)
        foreach(function IN LISTS ARG_FUNCTIONS)
            add_test(NAME ${name}:${function} COMMAND ${name} ${args} ${function})
            list(APPEND tests ${name}:${function})
        endforeach()
    else()
        add_test(NAME ${name} COMMAND ${name} ${args})
        set(tests ${name})
    endif()
    set_tests_properties(${tests} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${labels}"
        ENVIRONMENT "MESHSIM_SOURCE_DIR=${PROJECT_SOURCE_DIR};QT_QPA_PLATFORM=offscreen")
endfunction()

# meshsim_embed_scenarios(<out-var> DIR <dir> PREFIX <fn prefix> HEADER <include> NAMESPACE <ns>)
# Generates a source embedding <dir>/*.yaml (regenerated when a file changes) and stores its
# path in <out-var>; see cmake/embed_scenarios.cmake.
function(meshsim_embed_scenarios out)
    cmake_parse_arguments(ARG "" "DIR;PREFIX;HEADER;NAMESPACE" "" ${ARGN})
    file(GLOB files CONFIGURE_DEPENDS ${ARG_DIR}/*.yaml)
    list(SORT files)
    set(generated ${CMAKE_CURRENT_BINARY_DIR}/${ARG_PREFIX}_data.cpp)
    string(REPLACE ";" "|" list "${files}")
    add_custom_command(
        OUTPUT ${generated}
        COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated} -DINPUTS=${list} -DPREFIX=${ARG_PREFIX}
                -DHEADER=${ARG_HEADER} -DNAMESPACE=${ARG_NAMESPACE}
                -P ${PROJECT_SOURCE_DIR}/cmake/embed_scenarios.cmake
        DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_scenarios.cmake
        COMMENT "Embedding ${ARG_DIR}"
        VERBATIM)
    # A scenario may be longer than the 65,536 characters the standard asks a literal to hold;
    # gcc and clang take any length, and clang's -Wpedantic would warn.
    set_source_files_properties(${generated} PROPERTIES COMPILE_OPTIONS -Wno-overlength-strings)
    set(${out} ${generated} PARENT_SCOPE)
endfunction()
