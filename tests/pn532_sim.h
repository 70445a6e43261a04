/* A simulated PN532 on a pseudo-terminal, for tests that drive the real
 * libnfc code path (pn532_uart) with no hardware: tap, hold and remove
 * cards, unplug and plug back the reader, put garbage on the line. */
#ifndef TILSTEDE_PN532_SIM_H
#define TILSTEDE_PN532_SIM_H

#include <stddef.h>
#include <stdint.h>

struct pn532_sim;

/* Creates a private directory under dir (NULL: $TILSTEDE_TEST_TMP, else
 * /tmp), plugs the reader in and starts the simulator's thread. dir must
 * not contain ':' (libnfc splits connection strings on it). NULL on
 * failure, with a message on stderr. */
struct pn532_sim *pn532_sim_start(const char *dir);
/* Stops the thread, unplugs, removes the directory. NULL is a no-op. */
void pn532_sim_stop(struct pn532_sim *sim);

/* "pn532_uart:<dir>/reader": a stable path, a symlink to the current
 * /dev/pts/N, so it survives unplug and plug like a udev name would. */
const char *pn532_sim_connstring(const struct pn532_sim *sim);

/* Puts a card on the reader (replacing any other) or takes it away.
 * A 4-byte UID looks like a MIFARE Classic (ATQA 0004, SAK 08), a 7-byte
 * one like an Ultralight (0044, 00), a 10-byte one like a card libnfc has
 * no presence check for (0084, 00). A card taken away loses power: it
 * answers nothing until it has been selected again. */
int pn532_sim_card_present(struct pn532_sim *sim, const uint8_t *uid, size_t uid_len);
void pn532_sim_card_removed(struct pn532_sim *sim);

/* Unplug closes the pty and removes the symlink (the host sees I/O errors,
 * then no such device); plug makes a new pty and points the symlink at
 * it. Both return 0 or a negative errno once done. */
int pn532_sim_unplug(struct pn532_sim *sim);
int pn532_sim_plug(struct pn532_sim *sim);

/* Writes bytes to the host as if the chip had sent them. */
int pn532_sim_send_garbage(struct pn532_sim *sim, const uint8_t *bytes, size_t count);

/* Waits until the host is searching for a card (an InAutoPoll blocked here
 * with no card on the reader), at most timeout_ms: 0 or -ETIMEDOUT. Lets a
 * test know the reader is ready without sleeping for a guessed time. */
int pn532_sim_wait_for_poll(struct pn532_sim *sim, int timeout_ms);

#endif
