function(etl_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  # GCC 12 at -O3 warns -Wrestrict inside libstdc++'s own std::string operator+ and insert, where
  # nothing overlaps (GCC bugs 105329 and 105651, fixed in GCC 13): in our code it finds nothing.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(ETL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
