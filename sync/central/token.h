/* Secrets for devices and dashboard logins: 32 random bytes handed out
 * once as base64url text; only a BLAKE2b hash of them is ever stored. */
#ifndef TILSTEDE_CENTRAL_TOKEN_H
#define TILSTEDE_CENTRAL_TOKEN_H

#include <stddef.h>

#include "store.h"

#define CENTRAL_TOKEN_BYTES    32
#define CENTRAL_TOKEN_TEXT_MAX 64 /* 43 base64url characters and the NUL, with room */

/* A new random token as text, and its hash. */
void central_token_new(char text[CENTRAL_TOKEN_TEXT_MAX],
                       unsigned char hash[CENTRAL_TOKEN_HASH_BYTES]);

/* The hash of a presented token. Returns 0, or -EINVAL when the text is not
 * a token's shape (it is then not worth a database look-up). */
int central_token_hash(const char *text, size_t len, unsigned char hash[CENTRAL_TOKEN_HASH_BYTES]);

#endif
