/* The staff PIN pad. After five wrong PINs in a row each wrong PIN makes
 * the pad wait: 15 s, then 30 s, then 60 s at most, so that staff reach the
 * fire roll call within a minute whoever tried before them, while guessing
 * stays as slow as it was under the old five-minute lock (five tries in five
 * minutes). The count lives in the ui, so walking away does not reset it;
 * only the right PIN does. */
#include "ui_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pin_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui);
    /* Locked, or a PIN is being checked: the pad takes nothing meanwhile. */
    int waiting = ui->pin_locked_until_ms != 0;
    int locked = waiting || ui->pin_checking;
    screen_title(ui, layout, T(ui->tr, "Staff"), ACT_BACK, T(ui->tr, "Back"), 0);
    int top = screen_title_height(layout) + m;

    char wait_text[256];
    const char *message = ui->pin_message;
    if (waiting) {
        /* The pad says it is waiting, and for how long, second by second. */
        uint64_t now = SDL_GetTicks64();
        int seconds =
            ui->pin_locked_until_ms > now ? (int)((ui->pin_locked_until_ms - now + 999) / 1000) : 0;
        char number[16];
        snprintf(number, sizeof number, "%d", seconds);
        i18n_fill(wait_text, sizeof wait_text,
                  TN(ui->tr, "Too many wrong tries. The pad is locked: wait {n} second.",
                     "Too many wrong tries. The pad is locked: wait {n} seconds.", seconds),
                  "n", number, I18N_END);
        message = wait_text;
        ui->pin_wait_shown_s = seconds;
    }
    struct layout_rect info, pad;
    if (portrait) {
        /* Upright the words sit above the pad: as tall as the message needs. */
        int info_h = layout_px(layout, 250);
        int need = layout_px(layout, 80 + 72) + m +
                   layout_measure(layout, message, LAYOUT_REGULAR, layout_px(layout, 30),
                                  w - 3 * m - layout_px(layout, 40));
        if (need > info_h)
            info_h = need;
        info = layout_rect(m, top, w - 2 * m, info_h);
        pad = layout_rect(m, top + info.h + m, w - 2 * m, h - top - info.h - 2 * m);
    } else {
        info = layout_rect(m, top, (w - 3 * m) * 9 / 20, h - top - m);
        pad = layout_rect(2 * m + info.w, top, w - 3 * m - info.w, h - top - m);
    }
    int line = layout_px(layout, 80);
    layout_text(layout, layout_rect(info.x, info.y, info.w, line), T(ui->tr, "Type the staff PIN"),
                LAYOUT_BOLD, layout_px(layout, 32), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
    /* One dot per digit typed: the PIN itself is never shown. */
    char dots[UI_PIN_MAX * 4 + 1] = "";
    for (size_t i = 0; i < strlen(ui->pin); i++)
        strcat(dots, "\xE2\x97\x8F"); /* ● */
    struct layout_rect field = layout_rect(info.x, info.y + line, info.w, layout_px(layout, 72));
    layout_panel(layout, field, COLOUR_WHITE, COLOUR_TEXT);
    layout_text(layout, layout_rect(field.x + m, field.y, field.w - 2 * m, field.h), dots,
                LAYOUT_BOLD, layout_px(layout, 40), COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER,
                LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    if (ui->pin_checking) {
        int y = field.y + field.h + m;
        layout_text(layout, layout_rect(info.x, y, info.w, info.y + info.h - y),
                    T(ui->tr, "Checking the PIN …"), LAYOUT_REGULAR, layout_px(layout, 30),
                    COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT, 0);
    } else if (message[0]) {
        int y = field.y + field.h + m;
        int mark = layout_px(layout, 40);
        layout_icon(layout, layout_rect(info.x, y, mark, mark), ICON_WARNING, COLOUR_ERROR,
                    LAYOUT_NONE);
        layout_text(layout,
                    layout_rect(info.x + mark + m, y, info.w - mark - m, info.y + info.h - y),
                    message, LAYOUT_REGULAR, layout_px(layout, 30), COLOUR_ERROR, LAYOUT_NONE,
                    ALIGN_LEFT, 0);
    }

    static const char *const labels[12] = {
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "\xE2\x8C\xAB", "0", "OK"};
    int key_w = (pad.w - 2 * m) / 3, key_h = (pad.h - 3 * m) / 4;
    for (int i = 0; i < 12; i++) {
        struct layout_rect r =
            layout_rect(pad.x + (i % 3) * (key_w + m), pad.y + (i / 3) * (key_h + m), key_w, key_h);
        int action = i == 9 ? ACT_PIN_ERASE : i == 11 ? ACT_PIN_OK : ACT_PIN_DIGIT;
        int digit = i == 10 ? 0 : i + 1;
        int ok = i == 11;
        /* A pad that takes nothing looks like it: grey keys, grey digits. */
        uint32_t fg = waiting ? COLOUR_MUTED : ok ? COLOUR_WHITE : COLOUR_TEXT;
        uint32_t bg = waiting ? COLOUR_PAGE : ok ? COLOUR_PRIMARY : COLOUR_WHITE;
        uint32_t border = waiting ? COLOUR_LINE : ok ? LAYOUT_NONE : COLOUR_LINE;
        layout_button(layout, r, labels[i], LAYOUT_BOLD, layout_px(layout, 40), fg, bg, border,
                      action, digit, locked ? LAYOUT_DISABLED : 0);
    }
}

/* The wait after the n-th wrong PIN in a row: none for the first tries,
 * then the first wait, doubled each time up to UI_PIN_WAIT_GROWTH times it. */
uint64_t screen_pin_wait_ms(const struct ui *ui, int wrong)
{
    if (wrong < UI_PIN_TRIES)
        return 0;
    int doublings = wrong - UI_PIN_TRIES;
    uint64_t factor = 1;
    while (doublings-- > 0 && factor < UI_PIN_WAIT_GROWTH)
        factor *= 2;
    return factor * (uint64_t)ui->options.pin_lock_ms;
}

static void wrong(struct ui *ui)
{
    ui->pin_wrong++;
    uint64_t wait = screen_pin_wait_ms(ui, ui->pin_wrong);
    if (wait) {
        ui->pin_locked_until_ms = SDL_GetTicks64() + wait;
        ui->pin_message[0] = '\0'; /* the build says how long, second by second */
        return;
    }
    char number[16];
    int left = UI_PIN_TRIES - ui->pin_wrong;
    snprintf(number, sizeof number, "%d", left);
    i18n_fill(ui->pin_message, sizeof ui->pin_message,
              TN(ui->tr, "Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", left), "n",
              number, I18N_END);
}

/* The PIN's hash is slow on purpose (Argon2, a tenth of a second or more on
 * the board): it is checked on the worker, and the pad waits for it. */
struct pin_job {
    struct ui_job job;
    char pin[UI_PIN_MAX + 1];
    int rc;
};

static void pin_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct pin_job *j = (struct pin_job *)job;
    j->rc = kiosk_check_pin(kiosk, j->pin);
    sodium_memzero(j->pin, sizeof j->pin);
}

static void pin_done(struct ui *ui, struct ui_job *job)
{
    const struct pin_job *j = (const struct pin_job *)job;
    ui->pin_checking = 0;
    ui->dirty = 1;
    if (ui->screen != UI_PIN)
        return; /* gone home meanwhile (Back, a card's confirmation) */
    if (j->rc == 1) {
        ui->pin_wrong = 0;
        ui->pin_message[0] = '\0';
        ui->staff_open = 1;
        ui->staff_message[0] = '\0';
        ui_go(ui, UI_STAFF);
    } else if (j->rc == 0) {
        wrong(ui);
    } else {
        snprintf(ui->pin_message, sizeof ui->pin_message, "%s",
                 T(ui->tr, "No staff PIN is set on this kiosk. Set one with tilstedectl."));
    }
}

static void pin_submit(struct ui *ui)
{
    struct pin_job *j = calloc(1, sizeof *j);
    if (j) {
        j->job.run = pin_run;
        j->job.done = pin_done;
        memcpy(j->pin, ui->pin, sizeof j->pin);
        ui->pin_checking = 1;
        ui_submit(ui, &j->job);
    }
    /* The PIN leaves this thread's memory at once. */
    sodium_memzero(ui->pin, sizeof ui->pin);
}

/* A key typed on a keyboard as the pad's keys. */
static int pin_key(int64_t key)
{
    if (key >= '0' && key <= '9')
        return ACT_PIN_DIGIT;
    if (key == OSK_BACKSPACE)
        return ACT_PIN_ERASE;
    return key == '\n' ? ACT_PIN_OK : ACT_NONE;
}

static void pin_action(struct ui *ui, const struct layout_box *box)
{
    if (!box)
        return;
    size_t len = strlen(ui->pin);
    int action = box->action == ACT_KEY ? pin_key(box->arg) : box->action;
    int64_t digit = box->action == ACT_KEY ? box->arg - '0' : box->arg;
    if (action == ACT_BACK) {
        ui_go(ui, UI_HOME);
        return;
    }
    if (ui->pin_locked_until_ms || ui->pin_checking)
        return;
    switch (action) {
    case ACT_PIN_DIGIT:
        if (len < UI_PIN_MAX) {
            ui->pin[len] = (char)('0' + digit % 10);
            ui->pin[len + 1] = '\0';
        }
        break;
    case ACT_PIN_ERASE:
        if (len)
            ui->pin[len - 1] = '\0';
        break;
    case ACT_PIN_OK:
        pin_submit(ui);
        break;
    default:
        break;
    }
}

/* An empty pad; a wait still running keeps its message. */
static int pin_enter(struct ui *ui, const struct ui_move *move)
{
    (void)move;
    ui->pin[0] = '\0';
    if (!ui->pin_locked_until_ms)
        ui->pin_message[0] = '\0';
    return 0;
}

/* What was typed leaves memory with the pad. */
static void pin_leave(struct ui *ui, enum ui_screen to)
{
    (void)to;
    sodium_memzero(ui->pin, sizeof ui->pin);
}

const struct ui_screen_ops screen_pin = {.name = "pin",
                                         .build = pin_build,
                                         .action = pin_action,
                                         .enter = pin_enter,
                                         .leave = pin_leave};
