/* Device and admin tokens (see token.h). The token has 256 bits of
 * entropy, so an unsalted fast hash is safe to store: nobody can guess a
 * preimage, and there is no password for a dictionary to find. */
#include "token.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define TOKEN_TEXT_LEN 43 /* base64url of 32 bytes, no padding */

void central_token_new(char text[CENTRAL_TOKEN_TEXT_MAX],
                       unsigned char hash[CENTRAL_TOKEN_HASH_BYTES])
{
    unsigned char secret[CENTRAL_TOKEN_BYTES];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2base64(text, CENTRAL_TOKEN_TEXT_MAX, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof secret);
    central_token_hash(text, strlen(text), hash);
}

int central_token_hash(const char *text, size_t len, unsigned char hash[CENTRAL_TOKEN_HASH_BYTES])
{
    if (len != TOKEN_TEXT_LEN)
        return -EINVAL;
    crypto_generichash(hash, CENTRAL_TOKEN_HASH_BYTES, (const unsigned char *)text, len, NULL, 0);
    return 0;
}
