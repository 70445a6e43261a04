# The kiosk's screen: layout rules and screenshots, flows driven by injected
# touch, mouse, keys and reader taps, translations. Headless: SDL's offscreen
# video driver with the software renderer, the dummy audio driver.
if(TARGET tilstede_ui)
  set(ui_test_defs
    TILSTEDE_TEST_ASSETS="${PROJECT_SOURCE_DIR}/assets"
    TILSTEDE_TEST_LOCALE="${TILSTEDE_LOCALE_BUILD_DIR}"
    TILSTEDE_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")
  add_library(ui_harness STATIC test_ui_harness.c)
  target_link_libraries(ui_harness PUBLIC tilstede_ui tilstede_core)
  target_include_directories(ui_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/ui)
  target_compile_definitions(ui_harness PUBLIC ${ui_test_defs})

  tilstede_test(test_ui_units SOURCES test_ui_units.c LIBS ui_harness)
  tilstede_test(test_ui_screens SOURCES test_ui_screens.c LIBS ui_harness)
  tilstede_test(test_ui_flows SOURCES test_ui_flows.c LIBS ui_harness)
  set_tests_properties(test_ui_screens PROPERTIES TIMEOUT 900)
  if(TARGET pn532_sim)
    tilstede_test(test_ui_reader SOURCES test_ui_reader.c LIBS ui_harness pn532_sim)
  endif()

  # Every string marked in ui/ has a translation in all three catalogues.
  find_program(XGETTEXT xgettext)
  find_program(MSGCMP msgcmp)
  if(XGETTEXT AND MSGCMP)
    add_test(NAME test_ui_translations
      COMMAND sh -c "set -e; '${XGETTEXT}' --from-code=UTF-8 -k -kT:2 -kTN:2,3 -kN_ -o \"$0/tilstede.pot\" '${PROJECT_SOURCE_DIR}'/ui/*.c; for l in nb nn en; do '${MSGCMP}' --use-untranslated '${PROJECT_SOURCE_DIR}/ui/po/'$l.po \"$0/tilstede.pot\"; done; for l in nb nn; do out=$('${MSGFMT}' --statistics -o /dev/null '${PROJECT_SOURCE_DIR}/ui/po/'$l.po 2>&1); case \"$out\" in *untranslated*|*fuzzy*) echo \"$l: $out\"; exit 1;; esac; done"
        ${CMAKE_CURRENT_BINARY_DIR}/tmp)
  endif()

  if(TARGET pn532_sim)
    tilstede_bench(bench_ui SOURCES bench_ui.c LIBS ui_harness pn532_sim)
  endif()
endif()
