# `tilstedectl provision` against a real tilstede-central on loopback.
if(NOT TARGET tilstede_uploader AND TARGET tilstede_sync)
  include(${PROJECT_SOURCE_DIR}/sync/uploader.cmake)
endif()
if(TARGET tilstede_uploader AND TARGET tilstede_central)
  tilstede_test(test_provision SOURCES test_provision.c central_fixture.c pg_server.c
    LIBS tilstede_uploader tilstede_central PkgConfig::CURL)
endif()
