# lv_embed_templates: templates compiled into a program.
#
#   lv_embed_templates(<target> DIR <dir> [FILES <file>...])
#
# Every *.html under DIR (and each FILES entry) is compiled into <target> as a
# byte array and registered, before main, under its path relative to DIR: a
# view with .template_file = "todos.html" then needs no file at run time, and
# {{> todo_item}} finds "todo_item.html". With LV_ENV=dev the source file is
# read instead and reloaded when it changes. The generated header
# <target>_templates.h declares lv_template_<name> and lv_template_<name>_len.
#
# <target> must link liveview (the generated C file includes <liveview.h>).
# Embed into an executable or an OBJECT library: in a STATIC library nothing
# references the generated object, so the linker would drop its registration.
#
# This file is included by liveview's own CMakeLists.txt and, once installed,
# by liveviewConfig.cmake; its helper script sits next to it in both places.
include_guard(GLOBAL)

function(lv_embed_templates target)
  cmake_parse_arguments(EMBED "" "DIR" "FILES" ${ARGN})
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "lv_embed_templates: no target named '${target}'")
  endif()
  if(NOT EMBED_DIR AND NOT EMBED_FILES)
    message(FATAL_ERROR "lv_embed_templates(${target}): give DIR <dir> and/or FILES <file>...")
  endif()
  if(EMBED_DIR)
    get_filename_component(embed_dir "${EMBED_DIR}" ABSOLUTE)
    if(NOT IS_DIRECTORY "${embed_dir}")
      message(FATAL_ERROR "lv_embed_templates(${target}): DIR ${embed_dir} is not a directory")
    endif()
    file(GLOB_RECURSE embed_files CONFIGURE_DEPENDS "${embed_dir}/*.html")
  else()
    set(embed_dir "${CMAKE_CURRENT_SOURCE_DIR}")
    set(embed_files "")
  endif()
  foreach(file ${EMBED_FILES})
    get_filename_component(file "${file}" ABSOLUTE)
    list(APPEND embed_files "${file}")
  endforeach()
  list(REMOVE_DUPLICATES embed_files)
  list(SORT embed_files)
  string(MAKE_C_IDENTIFIER "${target}" target_id)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/embedded/${target_id}")
  set(out_c "${out_dir}/${target_id}_templates.c")
  set(out_h "${out_dir}/${target_id}_templates.h")
  string(REPLACE ";" "|" files_arg "${embed_files}")
  # Found next to this file, so it works from liveview's tree and from an
  # installed package alike (never relative to the consumer's project).
  set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/embed_templates.cmake")
  add_custom_command(OUTPUT "${out_c}" "${out_h}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${CMAKE_COMMAND} "-DOUT_C=${out_c}" "-DOUT_H=${out_h}" "-DBASE=${embed_dir}"
            "-DFILES=${files_arg}" "-DTARGET=${target}" -P "${script}"
    DEPENDS ${embed_files} "${script}"
    COMMENT "Embedding templates into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out_c}")
  target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
