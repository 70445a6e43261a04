# The roster CSV parser (firmware/roster.c): pure, no database.
tilstede_test(test_roster SOURCES test_roster.c)
