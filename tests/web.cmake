# The central's web app (sync/central/web/): its door (sessions, CSRF,
# roles, single sign-on) over real HTTP on loopback.
if(TARGET tilstede_central)
  tilstede_test(test_central_web SOURCES test_central_web.c central_fixture.c pg_server.c
    LIBS tilstede_central PkgConfig::CURL)
endif()
