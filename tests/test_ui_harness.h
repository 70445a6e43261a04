/* A kiosk and its screen for UI tests: a temporary store with the demo
 * site, a fake clock, SDL's offscreen driver and the software renderer;
 * helpers to press buttons (mouse or touch), tap cards, take screenshots
 * and check the layout rules. */
#ifndef TILSTEDE_TEST_UI_HARNESS_H
#define TILSTEDE_TEST_UI_HARNESS_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "kiosk.h"
#include "layout.h"
#include "ui.h"

#define HARNESS_PIN "2468"

struct harness {
    struct clock_fake clock;
    struct config config;
    struct kiosk *kiosk;
    struct ui *ui;
    struct ui_options options;
    char dir[400];
    int use_touch; /* press with SDL_FINGER events instead of the mouse */
    int no_settle; /* pumping does not wait for the screen's worker */
};

/* Monday 23 November 2026, 10:15 in Oslo. */
#define HARNESS_START_US (INT64_C(1795425300) * 1000000)

/* Sets the environment (offscreen video, dummy audio, software renderer,
 * TZ=Europe/Oslo); call first in main. */
void harness_environment(void);
/* A store with the demo site and a ui of w x h (rotation, language). */
int harness_open(struct harness *h, int w, int hgt, int rotation, const char *lang);
/* Replaces the ui only (same store). */
int harness_reopen_ui(struct harness *h, int w, int hgt, int rotation, const char *lang);
void harness_close(struct harness *h);

/* Handles what is pending (and waits up to ms for more). */
void harness_pump(struct harness *h, int ms);
/* Presses and releases the centre of the first box with this action (and
 * arg unless any_arg); returns 0, or -1 if there is no such box. */
int harness_press(struct harness *h, int action, int64_t arg, int any_arg);
/* The same for the first box showing text. */
int harness_press_text(struct harness *h, const char *text);
/* Presses a logical point. */
void harness_press_at(struct harness *h, int x, int y);
/* Types letters on the on-screen keyboard. */
int harness_type(struct harness *h, const char *letters);
/* A card on the simulated reader: ui_post_tap from another thread. */
void harness_card(struct harness *h, const uint8_t *uid, size_t len);
/* Checks the layout rules; prints problems with the label; returns their count. */
int harness_check(struct harness *h, const char *label);
/* Saves <build>/tests/screenshots/<name>.png. */
int harness_shot(struct harness *h, const char *name);
/* The text of the screen, for asserts: 1 if some box contains needle. */
int harness_shows(struct harness *h, const char *needle);
/* 1 if the screen shows English: a piece of an English msgid of the
 * catalogues (not also in a Norwegian text) or the text also (the core's
 * English message); found says what and where. For nb and nn screens. */
int harness_english(struct harness *h, const char *also, char *found, size_t cap);
/* Copies text with line breaks and no-break spaces made plain spaces. */
void harness_flatten(const char *in, char *out, size_t cap);

#endif
