# The connectors' client libraries are opened when first called (lib/src/lazy/), not linked:
# each one's soname, for dlopen, and its Debian package, for the package's Depends (which
# dpkg-shlibdeps no longer finds in the tools) and for the message when it is missing.
function(etl_lazy_library prefix library)
  get_filename_component(real "${library}" REALPATH)
  execute_process(COMMAND objdump -p "${real}" OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
  string(REGEX MATCH "SONAME +([^ \n]+)" found "${dump}")
  if(NOT rc EQUAL 0 OR NOT found)
    message(FATAL_ERROR "cannot read the soname of ${real}")
  endif()
  set(soname "${CMAKE_MATCH_1}")
  execute_process(COMMAND dpkg-query -S "${real}" OUTPUT_VARIABLE owner RESULT_VARIABLE rc
                  ERROR_QUIET)
  string(REGEX MATCH "^([^:,]+)" package "${owner}")
  if(NOT rc EQUAL 0 OR NOT package)
    set(package "unknown")
  endif()
  set(ETL_${prefix}_SONAME "${soname}" PARENT_SCOPE)
  set(ETL_${prefix}_PACKAGE "${package}" PARENT_SCOPE)
endfunction()
