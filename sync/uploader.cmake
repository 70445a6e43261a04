# The kiosk's uploader (libcurl) and `tilstedectl sync`; included from
# sync/CMakeLists.txt after tilstede_sync is defined.
add_library(tilstede_uploader STATIC
  ${CMAKE_CURRENT_LIST_DIR}/uploader.c
  ${CMAKE_CURRENT_LIST_DIR}/ctl_sync.c
  ${CMAKE_CURRENT_LIST_DIR}/ctl_provision.c)
target_include_directories(tilstede_uploader PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(tilstede_uploader PUBLIC tilstede_sync tilstede_core PkgConfig::CURL
  PkgConfig::JANSSON PkgConfig::SODIUM Threads::Threads)
