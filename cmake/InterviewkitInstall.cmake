include(CMakePackageConfigHelpers)

set(INTERVIEWKIT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/interviewkit")

install(TARGETS ${INTERVIEWKIT_INSTALL_TARGETS}
  EXPORT interviewkitTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT interviewkit_Development
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT interviewkit_Runtime
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT interviewkit_Runtime
  # Each target's own headers (src/CMakeLists.txt lists them): installing the sqlite
  # component installs sqlite_store.hpp and nothing of the channels.
  FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT interviewkit_Development
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# The operator's command line goes with the libraries it was built with.
if(TARGET interviewctl)
  install(TARGETS interviewctl
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT interviewkit_Runtime)
endif()

install(EXPORT interviewkitTargets
  NAMESPACE interviewkit::
  DESTINATION "${INTERVIEWKIT_CMAKE_DIR}" COMPONENT interviewkit_Development)

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
