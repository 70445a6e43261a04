# Last month's report by mail (issue 14, 4): the real tilstede-central
# against a real SMTP server on loopback (tests/smtp_sink.py, Debian's
# python3-aiosmtpd, with STARTTLS and a login), the messages read back with
# Python's email parser and the workbook with openpyxl.
if(TARGET tilstede_central)
  tilstede_test(test_central_mail SOURCES test_central_mail.c central_fixture.c pg_server.c
    LIBS tilstede_central PkgConfig::CURL)
  target_compile_definitions(test_central_mail PRIVATE
    CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central"
    SMTP_SINK="${CMAKE_CURRENT_SOURCE_DIR}/smtp_sink.py"
    MAIL_READBACK="${CMAKE_CURRENT_SOURCE_DIR}/mail_readback.py"
    XLSX_READBACK="${CMAKE_CURRENT_SOURCE_DIR}/xlsx_readback.py")
  add_dependencies(test_central_mail tilstede-central)
endif()
