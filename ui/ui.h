/* The kiosk's screen: a full-screen SDL2 program over the kiosk core.
 * One thread (the one that calls ui_open and ui_run) owns SDL and the
 * struct kiosk; the reader's thread only posts with ui_post_tap and
 * ui_post_reader_state, which are safe from any thread. */
#ifndef TILSTEDE_UI_H
#define TILSTEDE_UI_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "kiosk.h"
#include "reader.h"

struct ui;

enum ui_screen {
    UI_HOME = 0,
    UI_CONFIRM,       /* after a tap or a name: welcome, goodbye, notices */
    UI_NAME,          /* check in by name: keyboard and matches */
    UI_NAME_CONFIRM,  /* "Check in Kari N.?" or the choice of activity */
    UI_PIN,           /* the staff PIN pad */
    UI_STAFF,         /* the staff menu */
    UI_STAFF_PRESENT, /* who is here: the fire roll call */
    UI_STAFF_REVIEW,  /* visits closed automatically */
    UI_STAFF_REVIEW_EDIT,
    UI_STAFF_COMPLIANCE,
    UI_STAFF_ACTIVITIES,
    UI_STAFF_ACTIVITY_EDIT,
    UI_STAFF_LANGUAGE,
    UI_SCREEN_COUNT,
};

struct ui_options {
    int width, height;       /* a window of this size; 0 x 0 = full screen at the current mode */
    int rotation;            /* 0, 90, 180, 270: the picture turned clockwise */
    const char *assets_dir;  /* holds fonts/ and sounds/ */
    const char *locale_dir;  /* holds <lang>/LC_MESSAGES/tilstede.mo */
    const char *language;    /* nb, nn, en; NULL = the config's */
    const char *reader_side; /* left, right, top, bottom; NULL = the config's */
    int panel_width_mm, panel_height_mm; /* the panel's size; 0 = the config's */
    int confirm_ms;          /* how long a confirmation shows; 0 = 4000 */
    int staff_idle_ms;       /* staff mode closes after this; 0 = 60000 */
    int name_idle_ms;        /* the name screen goes home after this; 0 = 30000 */
    int pin_lock_ms;         /* the PIN pad's first wait after 5 wrong (then longer); 0 = 15 s */
    int silent;              /* no sound (tests) */
    /* --demo: F1..F5 call this with 0..4 (the simulated reader taps). */
    void (*demo_key)(void *user, int index);
    void *demo_user;
    /* Called on the UI thread after an event was recorded (a check-in,
     * check-out, correction, enrolment): the uploader sends it soon. */
    void (*recorded)(void *user);
    /* Called on the UI thread each time the loop wakes (at least every
     * UI_POLL_IDLE_MS): the systemd watchdog is fed from here. */
    void (*tick)(void *user);
    void *hook_user;
};

/* The upload's state for the status line; any thread. configured = 0: the
 * kiosk has no central (nothing is shown). */
struct ui_upload_status {
    int configured;
    int online;             /* the last attempt reached the central */
    int64_t last_success_us; /* 0 = never */
    int waiting;            /* events not yet uploaded */
};
void ui_post_upload_status(struct ui *ui, const struct ui_upload_status *status);

/* Opens the window (or the full screen), fonts, translations and sounds.
 * The kiosk stays the caller's and must outlive the ui. */
int ui_open(struct kiosk *kiosk, const struct clock_source *clock, const struct ui_options *options,
            struct ui **out, char *err, size_t errlen);
void ui_close(struct ui *ui);

/* From any thread: a card was tapped; the reader's state changed. */
void ui_post_tap(struct ui *ui, const uint8_t *uid, size_t uid_len);
void ui_post_reader_state(struct ui *ui, enum reader_state state);
/* From any thread: makes ui_run return. */
void ui_quit(struct ui *ui);

/* Runs until quit (SDL_QUIT, SIGTERM via SDL, ui_quit). 0 or < 0. */
int ui_run(struct ui *ui);
/* Handles what is pending, then waits up to timeout_ms for more and handles
 * that too; draws if something changed. Returns 1 when quit was asked. */
int ui_step(struct ui *ui, int timeout_ms);

/* --- for tests and benchmarks --- */
enum ui_screen ui_current(const struct ui *ui);
const char *ui_screen_name(enum ui_screen screen);
/* The layout on screen now (logical coordinates, before rotation). */
const struct layout *ui_layout(const struct ui *ui);
/* Physical size of the output. */
void ui_output_size(const struct ui *ui, int *w, int *h);
/* Saves what the output shows as a PNG. 0 or < 0 with err set. */
int ui_screenshot(struct ui *ui, const char *path, char *err, size_t errlen);
/* Builds and draws the current screen now, even if nothing changed;
 * returns the microseconds the drawing took (layout and render, present not
 * included). */
int64_t ui_redraw(struct ui *ui);
/* The monotonic microseconds of the last tap posted and of the first frame
 * presented after it was handled (0 if none yet). */
/* From any thread (benchmarks): frames presented, and when the last was
 * (CLOCK_MONOTONIC, us). */
void ui_presented(const struct ui *ui, uint64_t *frames, int64_t *presented_us);
void ui_tap_latency(const struct ui *ui, int64_t *posted_us, int64_t *presented_us,
                    int64_t *committed_us);
/* Shows a confirmation as if this tap result had come. */
void ui_show_result(struct ui *ui, const struct tap_result *result);
/* Switches language (nb, nn, en) as staff would. */
int ui_set_language(struct ui *ui, const char *lang);
/* Steps until the worker has nothing in hand (its results shown): 0, or
 * -ETIMEDOUT. Tests call it after an input to see the screen it leads to. */
int ui_settle(struct ui *ui, int timeout_ms);
/* Pixels the last frame repainted (all of them: w * h). */
int64_t ui_damage(const struct ui *ui);
/* The next frame paints the whole picture, not only what changed. */
void ui_repaint_all(struct ui *ui);
/* Paints what changed and reads the output (RGB24, pitch = width * 3,
 * ui_output_size): 0 or < 0 with err set. */
int ui_capture(struct ui *ui, unsigned char *rgb, char *err, size_t errlen);
/* Frames presented so far (idle tests: nothing redraws without a reason). */
uint64_t ui_frames(const struct ui *ui);

#endif
