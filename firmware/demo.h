/* The demo site: a roster of volunteers (with long Norwegian names, a
 * missing confidentiality agreement, an expired police certificate), cards
 * for four of them, and today's activities. Used by `tilstede --demo`,
 * `tilstedectl demo` and the UI tests. */
#ifndef TILSTEDE_DEMO_H
#define TILSTEDE_DEMO_H

#include <stddef.h>
#include <stdint.h>

struct kiosk;

#define DEMO_CARD_COUNT 5 /* cards 0..3 are enrolled, card 4 is unknown */
#define DEMO_UID_LEN 7
extern const uint8_t demo_card_uid[DEMO_CARD_COUNT][DEMO_UID_LEN];

/* Fills an empty store with the demo roster, cards and today's activities
 * (today = the kiosk clock's local day). Returns 0 or < 0 with err set. */
int demo_populate(struct kiosk *kiosk, char *err, size_t errlen);

#endif
