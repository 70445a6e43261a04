# The card reader. pn532_sim is a library so that any test (the UI's too)
# can put a simulated PN532 on a pty and drive the real libnfc path.
add_library(pn532_sim STATIC ${CMAKE_CURRENT_SOURCE_DIR}/pn532_sim.c)
target_include_directories(pn532_sim PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(pn532_sim PUBLIC Threads::Threads)

tilstede_test(test_reader SOURCES test_reader.c LIBS pn532_sim)
