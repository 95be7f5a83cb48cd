# How other projects find the installed structfit: a CMake package
# (find_package(structfit)) and a pkg-config file, both relocatable, so an
# install with `cmake --install --prefix` or DESTDIR stays usable.
include(CMakePackageConfigHelpers)

# What a static link of libstructfit needs after it: libbpf (BTF), libelf
# and zlib are pkg-config modules that bring their own dependencies.
# libdwarf is not linked (the library decodes DWARF itself and only uses
# <dwarf.h>'s constants), nor is libdebuginfod (opened at run time, hence
# libdl).  The CMake package lists the same libraries for its static target.
set(STRUCTFIT_PC_REQUIRES_PRIVATE "libbpf libelf zlib")
set(STRUCTFIT_PC_LIBS_PRIVATE "-lpthread -ldl")
set(STRUCTFIT_STATIC_LINK_LIBRARIES "bpf;elf;z;dl;Threads::Threads")

set(STRUCTFIT_STATIC_LIBRARY_NAME
  ${CMAKE_STATIC_LIBRARY_PREFIX}structfit${CMAKE_STATIC_LIBRARY_SUFFIX})
set(STRUCTFIT_SHARED_LIBRARY_NAME
  ${CMAKE_SHARED_LIBRARY_PREFIX}structfit${CMAKE_SHARED_LIBRARY_SUFFIX}.${PROJECT_VERSION})
set(STRUCTFIT_SHARED_LIBRARY_SONAME
  ${CMAKE_SHARED_LIBRARY_PREFIX}structfit${CMAKE_SHARED_LIBRARY_SUFFIX}.${PROJECT_VERSION_MAJOR})

set(STRUCTFIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/structfit)
configure_package_config_file(cmake/structfit-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/structfit-config.cmake
  INSTALL_DESTINATION ${STRUCTFIT_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/structfit-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/structfit-config.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/structfit-config-version.cmake
  DESTINATION ${STRUCTFIT_CMAKE_DIR})

# The .pc file finds its prefix from its own location (${pcfiledir}), the
# way the CMake package does: a prefix written at configure time would be
# wrong after `cmake --install --prefix`, and writing it at install time
# would race between two installs of one build tree.
set(STRUCTFIT_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${STRUCTFIT_PC_DIR}")
  set(STRUCTFIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH STRUCTFIT_PC_PREFIX "/_/${STRUCTFIT_PC_DIR}" "/_")
  string(REGEX REPLACE "/$" "" STRUCTFIT_PC_PREFIX "${STRUCTFIT_PC_PREFIX}")
  set(STRUCTFIT_PC_PREFIX "\${pcfiledir}/${STRUCTFIT_PC_PREFIX}")
endif()
foreach(dir IN ITEMS LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(STRUCTFIT_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(STRUCTFIT_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
configure_file(cmake/structfit.pc.in ${CMAKE_CURRENT_BINARY_DIR}/structfit.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/structfit.pc DESTINATION ${STRUCTFIT_PC_DIR})
