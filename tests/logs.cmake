# The kiosk's log carries no names and no card data (the real program).
if(TARGET tilstede)
  tilstede_test(test_logs SOURCES test_logs.c LIBS pn532_sim)
  target_compile_definitions(test_logs PRIVATE TILSTEDE="${TILSTEDE_RUN_DIR}/tilstede")
  add_dependencies(test_logs tilstede)
endif()
