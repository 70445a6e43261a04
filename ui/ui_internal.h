/* What the ui's own files share: struct ui, the actions of buttons, the
 * colours, and the table of operations every screen fills. Not for callers
 * outside ui/ (they see ui.h). */
#ifndef TILSTEDE_UI_INTERNAL_H
#define TILSTEDE_UI_INTERNAL_H

#include <SDL.h>
#include <pthread.h>
#include <time.h>

#include "i18n.h"
#include "layout.h"
#include "osk.h"
#include "text.h"
#include "ui.h"
#include "wait.h"
#include "worker.h"

/* Colours, each pair checked for contrast by layout_check. */
#define COLOUR_PAGE    0xF4F1EAu
#define COLOUR_TEXT    0x1B1B1Bu
#define COLOUR_MUTED   0x4A4A4Au
#define COLOUR_WHITE   0xFFFFFFu
#define COLOUR_LINE    0x767676u
#define COLOUR_PRIMARY 0x1D4E89u /* buttons; also "checked out" */
#define COLOUR_IN      0x0E6B34u /* checked in */
#define COLOUR_OUT     0x1D4E89u
#define COLOUR_ERROR   0x9E1C1Cu
#define COLOUR_WARN    0xF5C542u /* with COLOUR_TEXT on it */
#define COLOUR_THANKS  0x5B2A86u
#define COLOUR_CARD    0xDCE8F5u /* the "hold your card here" panel */
#define COLOUR_NOW     0xFFF0C2u /* the activity going on now */

#define UI_TAP_QUEUE      16 /* taps waiting for the UI thread; more are dropped */
#define UI_CONFIRM_MS     4000
#define UI_NOTICE_MS      8000 /* a confirmation with a notice to read stays longer */
#define UI_STAFF_IDLE_MS  60000
#define UI_ROLL_IDLE_MS    (10 * 60 * 1000) /* a roll call with ticks: counting takes a while */
#define UI_NAME_IDLE_MS   30000
#define UI_PIN_TRIES      5
#define UI_PIN_LOCK_MS     (15 * 1000) /* the first wait after UI_PIN_TRIES wrong PINs */
#define UI_PIN_WAIT_GROWTH 4           /* each wrong PIN doubles it, up to this many times */
#define UI_PIN_MAX        12
#define UI_QUERY_MAX      KIOSK_NAME_MAX
#define UI_MATCHES_MAX    12
#define UI_ACTIVITIES_MAX 16
#define UI_LIST_MAX        200 /* rows kept for a staff list */
#define UI_AUDIO_CLOSE_MS 1500
#define UI_DAMAGE_MAX     16 /* changed boxes repainted one by one; more: the whole picture */

enum ui_action {
    ACT_NONE = 0,
    ACT_NAME_START,
    ACT_STAFF_OPEN,
    ACT_BACK,
    ACT_KEY,
    ACT_CHOOSE,
    ACT_MORE,
    ACT_YES,
    ACT_NO,
    ACT_ACTIVITY,
    ACT_DISMISS,
    ACT_PIN_DIGIT,
    ACT_PIN_ERASE,
    ACT_PIN_OK,
    ACT_STAFF_MENU, /* arg: the screen to open */
    ACT_STAFF_MANUAL,
    ACT_STAFF_ENROLL,
    ACT_STAFF_CLOSE,
    ACT_PAGE, /* arg: -1 or +1 */
    ACT_REVIEW_ITEM,
    ACT_TIME_ADJUST, /* arg: minutes */
    ACT_SAVE,
    ACT_LANGUAGE, /* arg: index in ui_languages */
    ACT_ACTIVITY_EDIT,
    ACT_ACTIVITY_REMOVE,
    ACT_ACTIVITY_ADD,
    ACT_FIELD, /* arg: which text field to type */
    ACT_START_ADJUST,
    ACT_END_ADJUST,
    ACT_TEXT_DONE,
    ACT_RECOVERY_SEEN, /* staff have read that the database was restored */
    ACT_REFUSED_SEEN,  /* staff have seen that the central refused events */
    ACT_ROLL_TICK,     /* arg: the roll call's row, counted or not */
    ACT_ALARM,         /* not a button: the screen's alarm (ui->alarm_us) went off */
};

/* A screen: the same few operations for every one, in ui.c's table indexed
 * by enum ui_screen. Screens never call each other: they move through ui.c
 * (ui_go, ui_go_with) and leave what the next one needs in struct ui. A NULL
 * operation does nothing. */
struct ui_move {
    enum ui_screen to, from;
    int arg; /* an enum name_mode for UI_NAME, else an enum ui_open_reason */
};
#define UI_ENTER_LATER 1 /* enter: not shown now (see enter) */
struct ui_screen_ops {
    const char *name; /* for logs and tests */
    /* Fills the layout from struct ui; reads no disk. */
    void (*build)(struct ui *ui, struct layout *layout);
    /* A target pressed; also ACT_KEY for a key typed (arg: the letter,
     * OSK_BACKSPACE or '\n'), ACT_BACK for Escape, ACT_ALARM for its alarm,
     * and NULL for a tap on no target or the end of a screen that keeps
     * its own time (UI_IDLE_OWN). */
    void (*action)(struct ui *ui, const struct layout_box *box);
    /* Before the screen shows: 0 to show it now, or UI_ENTER_LATER when it
     * asked the worker for its data and shows itself (ui_show) once that
     * came, or sent the kiosk elsewhere. Sets ui->idle_ms (the staff idle
     * time unless it says otherwise) and ui->alarm_us (none unless it says). */
    int (*enter)(struct ui *ui, const struct ui_move *move);
    /* Before another screen shows. */
    void (*leave)(struct ui *ui, enum ui_screen to);
};

/* Why a screen is opened (ui_go_with's arg), besides a plain 0. */
enum ui_open_reason {
    OPEN_PLAIN = 0,
    OPEN_NAME_CHOSEN,    /* the name screen's choice is in ui->chosen, for ui->name_mode */
    OPEN_TEXT_DONE,      /* the name screen's typing is in ui->query */
    OPEN_CARD_FORGOTTEN, /* the core forgot the unknown card staff were enrolling */
};

#define UI_IDLE_OWN (-1) /* ui->idle_ms: the screen keeps its own time (the confirmation) */

/* Why the name screen is open. */
enum name_mode { NAME_CHECKIN = 0, NAME_STAFF_MANUAL, NAME_STAFF_ENROLL, NAME_TEXT_ENTRY };

struct ui_match {
    int64_t id;
    char display[KIOSK_NAME_MAX * 2]; /* "Kari N." or, for staff, the full name */
    int present;
};

struct ui_row { /* a staff list row */
    int64_t id;
    char title[KIOSK_NAME_MAX * 2];
    char detail[KIOSK_NAME_MAX * 2];
    char key[EVENT_ID_LEN + 1];
    int64_t start_us, end_us;
    int ticked; /* the roll call: counted */
};

struct ui {
    struct kiosk *kiosk;
    const struct config *config;
    const struct clock_source *clock;
    struct ui_options options;
    char reader_side[8];

    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *target; /* the canvas: the picture, before rotation */
    struct layout *drawn; /* what the canvas shows now */
    int drawn_pressed;
    int canvas_valid;     /* 0: paint it all next time */
    int64_t damage_px;    /* pixels repainted by the last frame */
    int out_w, out_h;    /* the output, physical */
    double px_per_mm;    /* of the panel, from [display] width_mm and height_mm */
    int w, h;            /* the layout, logical */
    int rotation;
    struct text *text;
    struct i18n *tr;
    char locale_dir[512];

    /* Audio opens on demand: a paused SDL device still wakes its thread. */
    SDL_AudioDeviceID audio;
    SDL_AudioSpec sound_spec[3];
    Uint8 *sound[3];
    Uint32 sound_len[3];
    uint64_t audio_close_at;
    int pending_sound; /* played after the next frame, -1 = none */

    /* The doorbell from other threads: a registered SDL event type, which
     * wakes the loop's sleep (wait.c). */
    Uint32 event_type;
    struct ui_wait *waiter;
    pthread_mutex_t lock;
    struct {
        uint8_t uid[READER_UID_MAX];
        size_t len;
        int64_t posted_us;
    } taps[UI_TAP_QUEUE];
    int tap_head, tap_count;
    int posted_state; /* -1 = none pending */
    int quit;
    struct ui_upload_status posted_upload; /* under lock */
    int upload_posted;

    enum reader_state reader_state;
    struct ui_upload_status upload; /* what the status line shows */

    /* What is on screen. */
    enum ui_screen screen;
    struct layout *layout;
    int dirty;
    int pressed; /* index of the box under the finger, -1 */
    int press_x, press_y;
    uint64_t last_input_ms;
    uint64_t screen_deadline_ms; /* confirmation end, idle timeouts; 0 = none */
    int idle_ms;                 /* this screen's idle time; 0 = none, UI_IDLE_OWN */
    int64_t alarm_us;            /* wall clock: ACT_ALARM for this screen; 0 = none */
    int64_t last_minute;         /* minutes since the epoch of the clock on screen */
    int64_t sweep_minute;        /* the minute of the last kiosk_sweep */
    uint64_t frames;
    uint64_t wakeups; /* times the loop woke from its sleep (tests: no polling) */

    /* Home's data, refreshed on a change and once a minute. */
    struct activity activities[UI_ACTIVITIES_MAX];
    int activity_count;
    int present_count;
    int home_stale; /* read them again (the worker) */
    int home_jobs;  /* home reads submitted, not yet done */
    /* A restore from a backup not yet acknowledged by staff (recovery_on). */
    struct kiosk_recovery recovery;
    int recovery_on;

    /* Disk work off this thread (worker.h). */
    struct ui_worker *worker;
    unsigned search_ticket; /* the newest name search asked for */
    unsigned staff_ticket;  /* the newest staff load asked for */
    int pin_checking;       /* a PIN is with the worker */

    /* The confirmation. */
    struct tap_result result;
    int64_t result_activity;
    enum ui_screen after_confirm;

    /* Check in by name. */
    enum name_mode name_mode;
    enum ui_screen name_opener; /* where the name screen goes back to with its answer */
    char query[UI_QUERY_MAX];
    struct ui_match matches[UI_MATCHES_MAX];
    int match_count, match_total;
    struct ui_match chosen;

    /* Staff. */
    char pin[UI_PIN_MAX + 1];
    int pin_wrong;
    uint64_t pin_locked_until_ms;
    int pin_wait_shown_s; /* the seconds the waiting pad shows */
    char pin_message[256];
    int staff_open;
    char staff_message[256];
    int staff_message_ok;
    int review_count, compliance_count, has_unknown;
    /* The upload's notices for staff (kiosk_upload_notices). */
    int refused_unseen;
    int64_t token_refused_us; /* 0: the central takes the token */
    int64_t unknown_at_us;
    struct ui_row *rows;
    int row_count, page;
    int roll_leave_asked; /* "forget the ticks?" is on the roll call */
    int remove_asked;     /* 1 + the activity whose removal staff must confirm; 0 = none */
    int64_t edit_index;
    int64_t edit_end_us;
    struct activity edit_activity;
    int text_field; /* 0 title, 1 place */

    /* Benchmarks. */
    int64_t tap_posted_us, tap_committed_us, tap_presented_us;
    int64_t presented_us; /* the last frame's present (monotonic), read by other threads */
    int tap_waiting_frame;
};

/* ui.c */
void ui_frame_paint(struct ui *ui); /* builds the layout and draws, no present */
void ui_frame_present(struct ui *ui);
/* Goes to a screen with arg for its enter (then ui_show); ui_go with 0. */
void ui_go_with(struct ui *ui, enum ui_screen screen, int arg);
void ui_go(struct ui *ui, enum ui_screen screen);
/* Shows a screen now: the one whose enter said UI_ENTER_LATER, or one of
 * its own file's after a write. */
void ui_show(struct ui *ui, enum ui_screen screen);
void ui_touch_idle(struct ui *ui);
int64_t ui_now_us(const struct ui *ui);
struct tm ui_local(int64_t at_us);
void ui_time_text(const struct ui *ui, int64_t at_us, char *out, size_t cap);
/* Hands a job to the worker (worker.h); its done runs in this thread. */
void ui_submit(struct ui *ui, struct ui_job *job);
void ui_play(struct ui *ui, int sound); /* 0 in, 1 out, 2 error */
int ui_is_portrait(const struct ui *ui);
void ui_handle_result(struct ui *ui, const struct tap_result *result, int64_t activity_id);
/* The confirmation is done (a press, its time): back to where it came from. */
void ui_confirm_done(struct ui *ui);
/* An event was recorded outside a tap result (enrolment, correction). */
void ui_recorded(struct ui *ui);
void ui_staff_message(struct ui *ui, int ok, const char *text);
/* What the home screen and the staff menu's counts show: read on the
 * worker (or once at open), applied on the UI thread (dirty if changed). */
struct ui_home_data {
    struct activity activities[UI_ACTIVITIES_MAX];
    int activity_count, present_count;
    struct kiosk_recovery recovery;
    int recovery_on; /* a restore staff have not yet seen */
};
void ui_home_read(struct kiosk *kiosk, int64_t now_us, struct ui_home_data *out);
void ui_home_apply(struct ui *ui, const struct ui_home_data *data);
extern const char *const ui_languages[3];

/* What the PIN pad waits after the wrong-th wrong PIN (screen_pin.c). */
uint64_t screen_pin_wait_ms(const struct ui *ui, int wrong);

/* Shared pieces of screens (screen_common.c). */
/* The title bar; right_w px are left free at its right end. */
struct layout_box *screen_title(struct ui *ui, struct layout *layout, const char *title,
                                int back_action, const char *back_label, int right_w);
int screen_back_width(const struct ui *ui, const struct layout *layout);
int screen_margin(const struct layout *layout);
int screen_title_height(const struct layout *layout);
/* A question over the screen with two answers: ACT_NO (no_label, the safe
 * one, in colour) and ACT_YES (yes_label). */
void screen_question(struct layout *layout, const char *text, const char *yes_label,
                     const char *no_label);
/* The core's error of this kind in the screen's language. The core's own
 * message is English, for the log: it never reaches the screen. */
const char *screen_error_text(struct ui *ui, enum kiosk_error kind);
/* U+00A0, which the layout never breaks a line at. */
#define SCREEN_NBSP "\xC2\xA0"
/* A volunteer as the kiosk shows them to everyone: "Kari\u00A0N.". */
void screen_display_name(const char *given, const char *family, char *out, size_t cap);
/* "10.00–11.30" */
void screen_activity_times(const struct ui *ui, const struct activity *activity, char *out,
                           size_t cap);

#endif
