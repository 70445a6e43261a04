# The kiosk core: rules, store, kiosk facade, config, tilstedectl.
tilstede_test(test_rules SOURCES test_rules.c)
tilstede_test(test_utf8 SOURCES test_utf8.c)
tilstede_test(test_store SOURCES test_store.c)
tilstede_test(test_kiosk SOURCES test_kiosk.c)
tilstede_test(test_config SOURCES test_config.c)
target_compile_definitions(test_config PRIVATE
  TILSTEDE_EXAMPLE_CONFIG="${PROJECT_SOURCE_DIR}/deploy/tilstede.conf.example")
tilstede_test(test_ctl SOURCES test_ctl.c LIBS pn532_sim)
target_compile_definitions(test_ctl PRIVATE TILSTEDECTL="${TILSTEDE_RUN_DIR}/tilstedectl")
add_dependencies(test_ctl tilstedectl)
tilstede_bench(bench_core SOURCES bench_core.c)
