# Writes IN as a NUL-terminated char array named NAME into OUT.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
# NAME_size: its bytes without that NUL, for binary files (a .mo catalogue).
file(WRITE "${OUT}" "/* generated from ${IN} */\nconst char ${NAME}[] = {${body}0x00};\n"
  "const unsigned long ${NAME}_size = sizeof ${NAME} - 1;\n")
