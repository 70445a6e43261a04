/* Card UIDs are never stored: only a keyed hash (BLAKE2b-256 with a secret
 * key kept in a file readable by the kiosk alone). The key is shared by the
 * kiosks of one deployment, so a card enrolled at one works at all. */
#ifndef TILSTEDE_CARDHASH_H
#define TILSTEDE_CARDHASH_H

#include <stddef.h>
#include <stdint.h>

#define CARDHASH_KEY_BYTES 32

/* Reads the key; when the file does not exist and create is set, makes a
 * new random key there (mode 0600). Returns 0 or -1 with err set. */
int cardhash_load_key(const char *path, int create, unsigned char key[CARDHASH_KEY_BYTES],
                      char *err, size_t errlen);
/* out: 64 hex digits and a NUL. */
void cardhash_uid(const unsigned char key[CARDHASH_KEY_BYTES], const uint8_t *uid, size_t len,
                  char out[65]);

#endif
