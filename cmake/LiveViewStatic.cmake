# Files compiled into a program, to serve with lv_static_embedded().
#
#   lv_embed_static(<target> DIR <dir> NAME <c_name>)
#
# Every file under DIR (dotfiles and dot-folders left out: they are never
# served) becomes a row of the table
#
#   extern const lv_embedded_file <c_name>[];
#   extern const size_t <c_name>_count;
#
# declared in the generated header <c_name>.h (on <target>'s include path),
# with its path relative to DIR ("img/logo.png"), its bytes, a gzip copy made
# at build time for compressible types (`gzip -9 -n`; left out when gzip is
# not installed, with a warning) and an ETag that is a hash of its content.
# The program then serves them without any file at run time:
#
#   #include "<c_name>.h"
#   lv_static_embedded(app, "/static", <c_name>, <c_name>_count);
#
# A file added to or removed from DIR is noticed when CMake re-runs (the
# glob is CONFIGURE_DEPENDS); a changed file is re-embedded by the build.
# The helper script is found next to this file, so the function works the
# same from the library's tree, an add_subdirectory or an installed package.
function(lv_embed_static target)
  cmake_parse_arguments(EMBED "" "DIR;NAME" "" ${ARGN})
  if(NOT EMBED_DIR OR NOT EMBED_NAME)
    message(FATAL_ERROR "lv_embed_static(${target} DIR <dir> NAME <c_name>): DIR and NAME are required")
  endif()
  get_filename_component(embed_dir "${EMBED_DIR}" ABSOLUTE)
  if(NOT IS_DIRECTORY "${embed_dir}")
    message(FATAL_ERROR "lv_embed_static: ${embed_dir} is not a directory")
  endif()
  file(GLOB_RECURSE all_files CONFIGURE_DEPENDS LIST_DIRECTORIES false "${embed_dir}/*")
  set(embed_files "")
  foreach(f ${all_files})
    file(RELATIVE_PATH rel "${embed_dir}" "${f}")
    if(NOT rel MATCHES "(^|/)\\.")
      list(APPEND embed_files "${f}")
    endif()
  endforeach()
  _lv_embed_files(${target} "${EMBED_NAME}" "${embed_dir}" "${embed_files}" OFF)
endfunction()

# The shared step: embeds `files` (absolute paths under base) into target as
# the table `name`. With require_gzip, a missing gzip stops the configure.
function(_lv_embed_files target name base files require_gzip)
  string(MAKE_C_IDENTIFIER "${name}" name_id)
  find_program(LV_GZIP_PROGRAM gzip)
  set(gzip_arg "")
  if(LV_GZIP_PROGRAM)
    set(gzip_arg "-DGZIP=${LV_GZIP_PROGRAM}")
  elseif(require_gzip)
    message(FATAL_ERROR "gzip was not found: install it (scripts/deps.sh lists it), it precompresses the embedded files")
  else()
    message(WARNING "gzip was not found: ${name} is embedded without precompressed copies")
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/embedded/${name_id}")
  set(out_c "${out_dir}/${name_id}.c")
  set(out_h "${out_dir}/${name_id}.h")
  set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/LiveViewEmbedFiles.cmake")
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(OUTPUT "${out_c}" "${out_h}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${CMAKE_COMMAND} -DMODE=embed "-DOUT_C=${out_c}" "-DOUT_H=${out_h}" "-DNAME=${name_id}"
            "-DBASE=${base}" "-DFILES=${files_arg}" "-DWORK=${out_dir}/work" ${gzip_arg} -P "${script}"
    DEPENDS ${files} "${script}"
    COMMENT "Embedding ${name} into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out_c}")
  target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
