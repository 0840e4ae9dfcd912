# Writes OUTPUT, a header defining PGROUTE_GIT_REVISION, run with `cmake -P` at every build.
# configure_file leaves OUTPUT untouched when the text is the same, so only main.cpp depends on
# it and only a new commit (or a tree that became clean or dirty) recompiles it.
#   -DSOURCE_DIR=... -DOUTPUT=... [-DREVISION=...]  (REVISION set: a build without .git, e.g. Docker)
if(NOT REVISION)
  set(REVISION unknown)
  find_package(Git QUIET)
  if(GIT_FOUND)
    # A --match no tag has makes describe print the bare short hash, and --dirty refreshes the
    # index first, so a touched but unchanged file does not count as a change.
    execute_process(
      COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} describe --always --dirty --abbrev=7
              --match=pgroute-revision-never-a-tag
      OUTPUT_VARIABLE described
      OUTPUT_STRIP_TRAILING_WHITESPACE
      RESULT_VARIABLE status
      ERROR_QUIET)
    if(status EQUAL 0 AND described MATCHES "^[0-9a-f]+(-dirty)?$")
      set(REVISION ${described})
    endif()
  endif()
endif()
set(PGROUTE_GIT_REVISION ${REVISION})
configure_file(${CMAKE_CURRENT_LIST_DIR}/git_revision.h.in ${OUTPUT} @ONLY)
