# Installs each library as a component of its own: one export set, one targets file and one
# pkg-config file per component, so find_package(interviewkit COMPONENTS sqlite) or
# `pkg-config interviewkit-sqlite` pulls in SQLite and nothing of PostgreSQL or the channels.
# The package config (interviewkitConfig.cmake.in) includes a component's targets file only
# after finding that component's own dependencies.
include(CMakePackageConfigHelpers)

set(INTERVIEWKIT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/interviewkit")
set(INTERVIEWKIT_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

# Component name of a library target: interviewkit -> core, interviewkit_sqlite -> sqlite.
function(_interviewkit_component_of target out)
  if(target STREQUAL "interviewkit")
    set(${out} core PARENT_SCOPE)
  else()
    string(REGEX REPLACE "^interviewkit_" "" component "${target}")
    set(${out} ${component} PARENT_SCOPE)
  endif()
endfunction()

# pkg-config lines for one component. A static library's dependencies are needed to link a
# host, so they are public then (Requires/Libs) and private only for a shared library.
function(_interviewkit_pkgconfig target component)
  set(requires "")
  set(libs "")
  set(cflags "")
  if(component STREQUAL "core")
    set(requires "fmt spdlog nlohmann_json")
    set(libs "-ldate-tz -pthread")
    if(NOT BUILD_SHARED_LIBS)
      set(cflags "-DINTERVIEWKIT_STATIC_DEFINE")
    endif()
  elseif(component STREQUAL "sqlite")
    set(requires "sqlite3")
  elseif(component STREQUAL "postgres")
    set(requires "libpqxx")
  elseif(component STREQUAL "channels")
    set(requires "libcurl libcrypto libical")
    set(libs "-lmstch")
  elseif(component STREQUAL "calendar")
    set(requires "libcurl libical libxml-2.0")
  endif()
  set(own_requires "")
  if(NOT component STREQUAL "core")
    set(own_requires "interviewkit = ${PROJECT_VERSION}")
  endif()
  if(BUILD_SHARED_LIBS)
    set(IK_REQUIRES "${own_requires}")
    set(IK_REQUIRES_PRIVATE "${requires}")
    set(IK_LIBS_PRIVATE "${libs}")
    set(IK_LIBS "")
  else()
    string(JOIN " " IK_REQUIRES ${own_requires} ${requires})
    set(IK_REQUIRES_PRIVATE "")
    set(IK_LIBS_PRIVATE "")
    set(IK_LIBS "${libs}")
  endif()
  set(IK_NAME "${target}")
  set(IK_CFLAGS "${cflags}")
  if(component STREQUAL "core")
    set(IK_PC_NAME interviewkit)
  else()
    set(IK_PC_NAME interviewkit-${component})
  endif()
  set(IK_COMPONENT ${component})
  # Relocatable: the prefix is found from the .pc file's own place, so `cmake --install
  # --prefix DIR` after configuring gives .pc files that point into DIR.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(IK_PREFIX "${CMAKE_INSTALL_PREFIX}")
    set(IK_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
    set(IK_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
  else()
    file(RELATIVE_PATH up "/p/${INTERVIEWKIT_PKGCONFIG_DIR}" "/p")
    string(REGEX REPLACE "/$" "" up "${up}")
    set(IK_PREFIX "\${pcfiledir}/${up}")
    set(IK_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
    set(IK_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
  endif()
  configure_file("${PROJECT_SOURCE_DIR}/cmake/interviewkit.pc.in"
    "${PROJECT_BINARY_DIR}/pkgconfig/${IK_PC_NAME}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/${IK_PC_NAME}.pc"
    DESTINATION "${INTERVIEWKIT_PKGCONFIG_DIR}" COMPONENT interviewkit_Development)
endfunction()

set(INTERVIEWKIT_COMPONENTS "")
foreach(target IN LISTS INTERVIEWKIT_INSTALL_TARGETS)
  _interviewkit_component_of(${target} component)
  if(NOT component STREQUAL "core")
    list(APPEND INTERVIEWKIT_COMPONENTS ${component})
  endif()
  install(TARGETS ${target}
    EXPORT interviewkit-${component}-targets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT interviewkit_Development
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT interviewkit_Runtime
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT interviewkit_Runtime
    # Each target's own headers (src/CMakeLists.txt lists them): installing the sqlite
    # component installs sqlite_store.hpp and nothing of the channels.
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT interviewkit_Development
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(EXPORT interviewkit-${component}-targets
    NAMESPACE interviewkit::
    DESTINATION "${INTERVIEWKIT_CMAKE_DIR}" COMPONENT interviewkit_Development)
  _interviewkit_pkgconfig(${target} ${component})
endforeach()

# The operator's command line goes with the libraries it was built with.
if(TARGET interviewctl)
  install(TARGETS interviewctl
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT interviewkit_Runtime)
endif()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/interviewkitConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/interviewkitConfig.cmake"
  INSTALL_DESTINATION "${INTERVIEWKIT_CMAKE_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/interviewkitConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/interviewkitConfig.cmake"
  "${PROJECT_BINARY_DIR}/interviewkitConfigVersion.cmake"
  DESTINATION "${INTERVIEWKIT_CMAKE_DIR}" COMPONENT interviewkit_Development)
