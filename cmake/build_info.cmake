# Regenerates build_info.cc on every build so the git sha in the results JSON is
# the one the binary was built from, not the one present at configure time.
set(C10K_BUILD_INFO_CC ${CMAKE_BINARY_DIR}/generated/build_info.cc)
add_custom_target(c10k_build_info_gen
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
    -DOUTPUT=${C10K_BUILD_INFO_CC}
    -DVERSION=${PROJECT_VERSION}
    -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    -P ${CMAKE_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${C10K_BUILD_INFO_CC}
  COMMENT "c10k: build info")
