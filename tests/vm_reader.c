/* The simulated PN532 for test_deploy_vm: a card reader that a virtual
 * machine's kiosk reaches through QEMU's emulated USB-serial adapter (an
 * FTDI FT232, as on the cheap PN532 boards). Prints "reader PATH" (the pty
 * QEMU attaches to), then obeys lines on stdin:
 *   tap HEXUID   wait until the kiosk polls, hold the card 2 s, take it away
 *   quit         (or end of input) stop
 * and answers each with "ok ..." or "error ...". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pn532_sim.h"

#define POLL_WAIT_MS 120000 /* a kiosk starting under emulation is slow */

static int parse_uid(const char *hex, uint8_t *uid, size_t *len)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > 10)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return -1;
        uid[i] = (uint8_t)byte;
    }
    *len = n / 2;
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct pn532_sim *sim = pn532_sim_start(argc > 1 ? argv[1] : NULL);
    if (!sim)
        return 1;
    /* "pn532_uart:<dir>/reader" names a symlink to the pty. */
    const char *link = strchr(pn532_sim_connstring(sim), ':') + 1;
    char pty[256];
    ssize_t n = readlink(link, pty, sizeof pty - 1);
    if (n <= 0) {
        fprintf(stderr, "vm_reader: %s: %s\n", link, strerror(errno));
        pn532_sim_stop(sim);
        return 1;
    }
    pty[n] = '\0';
    printf("reader %s\n", pty);
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        uint8_t uid[10];
        size_t len;
        if (strcmp(line, "quit") == 0)
            break;
        if (strncmp(line, "tap ", 4) != 0 || parse_uid(line + 4, uid, &len)) {
            printf("error: not understood: %s\n", line);
            continue;
        }
        if (pn532_sim_wait_for_poll(sim, POLL_WAIT_MS)) {
            printf("error: the kiosk did not poll the reader in %d s\n", POLL_WAIT_MS / 1000);
            continue;
        }
        pn532_sim_card_present(sim, uid, len);
        sleep(2);
        pn532_sim_card_removed(sim);
        printf("ok tapped %s\n", line + 4);
    }
    pn532_sim_stop(sim);
    return 0;
}
