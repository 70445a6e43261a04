/* Keyed hashes of card UIDs (see cardhash.h). */
#include "cardhash.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cardhash_load_key(const char *path, int create, unsigned char key[CARDHASH_KEY_BYTES],
                      char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not start");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        unsigned char fresh[CARDHASH_KEY_BYTES];
        randombytes_buf(fresh, sizeof fresh);
        /* O_EXCL: two programs starting at once must not each make a key. */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ssize_t n = write(fd, fresh, sizeof fresh);
            int bad = n != (ssize_t)sizeof fresh || fsync(fd) != 0;
            close(fd);
            if (bad) {
                snprintf(err, errlen, "%s: cannot write the card key: %s", path, strerror(errno));
                unlink(path);
                return -1;
            }
        } else if (errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create the card key: %s", path, strerror(errno));
            return -1;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot read the card key: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, key, CARDHASH_KEY_BYTES);
    char extra;
    ssize_t more = read(fd, &extra, 1);
    close(fd);
    if (n != CARDHASH_KEY_BYTES || more != 0) {
        snprintf(err, errlen, "%s: the card key must be exactly %d bytes", path,
                 CARDHASH_KEY_BYTES);
        return -1;
    }
    return 0;
}

void cardhash_uid(const unsigned char key[CARDHASH_KEY_BYTES], const uint8_t *uid, size_t len,
                  char out[65])
{
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, uid, len, key, CARDHASH_KEY_BYTES);
    sodium_bin2hex(out, 65, hash, sizeof hash);
}
