# `--db FILE` alone runs the real tilstedectl and kiosk on a scratch
# database, the card key beside it (tests/test_scratch_db.sh).
if(TARGET tilstede)
  add_test(NAME test_db_alone_keeps_the_card_key_beside_it
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_scratch_db.sh
    ${TILSTEDE_RUN_DIR} ${CMAKE_CURRENT_BINARY_DIR}/scratch-db)
  set_tests_properties(test_db_alone_keeps_the_card_key_beside_it PROPERTIES TIMEOUT 120
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1")
endif()
# tilstede-central roster import: its messages are cut between characters.
if(TARGET tilstede-central)
  add_test(NAME test_central_roster_import_messages_are_utf8
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_central_roster_messages.sh
    ${TILSTEDE_RUN_DIR} ${CMAKE_CURRENT_BINARY_DIR}/central-roster-messages)
  set_tests_properties(test_central_roster_import_messages_are_utf8 PROPERTIES TIMEOUT 60)
endif()
