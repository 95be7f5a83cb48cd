# Finds libdwarf and provides LibDwarf::LibDwarf.
#
# Debian 12's libdwarf 20210528 ships no pkg-config file and puts its headers
# in /usr/include/libdwarf/.  elfutils installs a different <dwarf.h> in
# /usr/include, so the libdwarf directory must come first on the include path.
find_path(LibDwarf_INCLUDE_DIR libdwarf.h PATH_SUFFIXES libdwarf libdwarf-0)
find_library(LibDwarf_LIBRARY NAMES dwarf)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibDwarf REQUIRED_VARS LibDwarf_LIBRARY LibDwarf_INCLUDE_DIR)
if(LibDwarf_FOUND AND NOT TARGET LibDwarf::LibDwarf)
  add_library(LibDwarf::LibDwarf UNKNOWN IMPORTED)
  set_target_properties(LibDwarf::LibDwarf PROPERTIES
    IMPORTED_LOCATION "${LibDwarf_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibDwarf_INCLUDE_DIR}")
endif()
# The library only needs <dwarf.h>'s constants (its own decoder reads
# DWARF); linking libdwarf itself is for the reference reader of the tests.
if(LibDwarf_FOUND AND NOT TARGET LibDwarf::Headers)
  add_library(LibDwarf::Headers INTERFACE IMPORTED)
  set_target_properties(LibDwarf::Headers PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LibDwarf_INCLUDE_DIR}")
endif()
mark_as_advanced(LibDwarf_INCLUDE_DIR LibDwarf_LIBRARY)
