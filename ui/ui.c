/* The kiosk's event loop: input, taps from the reader thread, timers, and
 * drawing only when something changed. Screens live in screen_*.c. */
#include "ui_internal.h"

#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"

const char *const ui_languages[3] = {"nb", "nn", "en"};

/* The screens, each the same table of operations (ui_internal.h), indexed
 * by enum ui_screen: the loop dispatches to them, and they never call each
 * other. A new screen is a file of its own and a row here. */
extern const struct ui_screen_ops screen_home, screen_confirm, screen_name, screen_name_confirm,
    screen_pin, screen_staff_menu, screen_roll, screen_review, screen_review_edit,
    screen_compliance, screen_activities, screen_activity_edit, screen_language;
static const struct ui_screen_ops *const screens[UI_SCREEN_COUNT] = {
    [UI_HOME] = &screen_home,
    [UI_CONFIRM] = &screen_confirm,
    [UI_NAME] = &screen_name,
    [UI_NAME_CONFIRM] = &screen_name_confirm,
    [UI_PIN] = &screen_pin,
    [UI_STAFF] = &screen_staff_menu,
    [UI_STAFF_PRESENT] = &screen_roll,
    [UI_STAFF_REVIEW] = &screen_review,
    [UI_STAFF_REVIEW_EDIT] = &screen_review_edit,
    [UI_STAFF_COMPLIANCE] = &screen_compliance,
    [UI_STAFF_ACTIVITIES] = &screen_activities,
    [UI_STAFF_ACTIVITY_EDIT] = &screen_activity_edit,
    [UI_STAFF_LANGUAGE] = &screen_language,
};

static int64_t mono_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

const char *ui_screen_name(enum ui_screen screen)
{
    return (unsigned)screen < UI_SCREEN_COUNT ? screens[screen]->name : "?";
}

int64_t ui_now_us(const struct ui *ui)
{
    return clock_wall(ui->clock);
}

struct tm ui_local(int64_t at_us)
{
    time_t seconds = (time_t)(at_us / 1000000);
    struct tm tm;
    localtime_r(&seconds, &tm);
    return tm;
}

void ui_time_text(const struct ui *ui, int64_t at_us, char *out, size_t cap)
{
    struct tm tm = ui_local(at_us);
    i18n_time(ui->tr, &tm, out, cap);
}

int ui_is_portrait(const struct ui *ui)
{
    return ui->h > ui->w;
}

void ui_touch_idle(struct ui *ui)
{
    uint64_t now = SDL_GetTicks64();
    ui->last_input_ms = now;
    if (ui->idle_ms != UI_IDLE_OWN) /* the confirmation keeps its own time */
        ui->screen_deadline_ms = ui->idle_ms > 0 ? now + (uint64_t)ui->idle_ms : 0;
}

void ui_show(struct ui *ui, enum ui_screen screen)
{
    const struct ui_screen_ops *old = screens[ui->screen];
    if (screen != ui->screen && old->leave)
        old->leave(ui, screen);
    ui->screen = screen;
    ui->pressed = -1;
    ui->dirty = 1;
    ui_touch_idle(ui);
}

void ui_go_with(struct ui *ui, enum ui_screen screen, int arg)
{
    if ((unsigned)screen >= UI_SCREEN_COUNT)
        return;
    struct ui_move move = {screen, ui->screen, arg};
    const struct ui_screen_ops *next = screens[screen];
    ui->idle_ms = ui->options.staff_idle_ms;
    ui->alarm_us = 0;
    if (next->enter && next->enter(ui, &move) == UI_ENTER_LATER)
        return;
    ui_show(ui, screen);
}

void ui_go(struct ui *ui, enum ui_screen screen)
{
    ui_go_with(ui, screen, OPEN_PLAIN);
}

/* --- the home screen's data, read by the worker --- */

struct home_job {
    struct ui_job job;
    int sweep; /* close forgotten visits first (once a minute) */
    int64_t now_us;
    struct ui_home_data data;
};

void ui_home_read(struct kiosk *kiosk, int64_t now_us, struct ui_home_data *out)
{
    int count = kiosk_activities(kiosk, now_us, out->activities, UI_ACTIVITIES_MAX);
    out->activity_count = count > 0 ? count : 0;
    int present = kiosk_present_count(kiosk);
    out->present_count = present > 0 ? present : 0;
    out->recovery_on = kiosk_recovery_status(kiosk, &out->recovery) == 1 &&
                       !out->recovery.acknowledged;
}

void ui_home_apply(struct ui *ui, const struct ui_home_data *data)
{
    if (data->activity_count == ui->activity_count && data->present_count == ui->present_count &&
        data->recovery_on == ui->recovery_on &&
        !memcmp(&data->recovery, &ui->recovery, sizeof ui->recovery) &&
        !memcmp(data->activities, ui->activities, sizeof ui->activities))
        return;
    memcpy(ui->activities, data->activities, sizeof ui->activities);
    ui->activity_count = data->activity_count;
    ui->present_count = data->present_count;
    ui->recovery = data->recovery;
    ui->recovery_on = data->recovery_on;
    ui->dirty = 1;
}

static void home_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct home_job *h = (struct home_job *)job;
    if (h->sweep)
        kiosk_sweep(kiosk);
    ui_home_read(kiosk, h->now_us, &h->data);
}

static void home_done(struct ui *ui, struct ui_job *job)
{
    ui->home_jobs--;
    ui_home_apply(ui, &((const struct home_job *)job)->data);
}

static void home_submit(struct ui *ui, int sweep)
{
    struct home_job *h = calloc(1, sizeof *h);
    if (!h)
        return; /* home_stale stays: tried again on the next wake */
    h->job.run = home_run;
    h->job.done = home_done;
    h->sweep = sweep;
    h->now_us = ui_now_us(ui);
    ui->home_stale = 0;
    ui->home_jobs++;
    ui_worker_submit(ui->worker, &h->job);
}

void ui_submit(struct ui *ui, struct ui_job *job)
{
    ui_worker_submit(ui->worker, job);
}

static void jobs_finished(struct ui *ui)
{
    struct ui_job *job;
    while ((job = ui_worker_finished(ui->worker))) {
        if (job->done)
            job->done(ui, job);
        free(job);
    }
}

void ui_staff_message(struct ui *ui, int ok, const char *text)
{
    snprintf(ui->staff_message, sizeof ui->staff_message, "%s", text);
    ui->staff_message_ok = ok;
}

/* --- sound --- */

static void sounds_load(struct ui *ui)
{
    static const char *const files[3] = {"in.wav", "out.wav", "error.wav"};
    if (ui->options.silent || SDL_InitSubSystem(SDL_INIT_AUDIO) < 0)
        return;
    for (int i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/sounds/%s", ui->options.assets_dir, files[i]);
        if (!SDL_LoadWAV(path, &ui->sound_spec[i], &ui->sound[i], &ui->sound_len[i]))
            fprintf(stderr, "tilstede: %s: %s (no sound)\n", path, SDL_GetError());
    }
}

void ui_play(struct ui *ui, int sound)
{
    if (sound < 0 || sound > 2 || !ui->sound[sound])
        return;
    if (!ui->audio) {
        ui->audio = SDL_OpenAudioDevice(NULL, 0, &ui->sound_spec[sound], NULL, 0);
        if (!ui->audio)
            return;
    }
    SDL_ClearQueuedAudio(ui->audio);
    SDL_QueueAudio(ui->audio, ui->sound[sound], ui->sound_len[sound]);
    SDL_PauseAudioDevice(ui->audio, 0);
    const SDL_AudioSpec *spec = &ui->sound_spec[sound];
    uint64_t length_ms =
        (uint64_t)ui->sound_len[sound] * 1000u /
        ((uint64_t)spec->freq * spec->channels * (SDL_AUDIO_BITSIZE(spec->format) / 8));
    ui->audio_close_at = SDL_GetTicks64() + length_ms + UI_AUDIO_CLOSE_MS;
}

static void sounds_free(struct ui *ui)
{
    if (ui->audio)
        SDL_CloseAudioDevice(ui->audio);
    ui->audio = 0;
    for (int i = 0; i < 3; i++)
        SDL_FreeWAV(ui->sound[i]);
}

/* --- results --- */

static int result_sound(const struct tap_result *result)
{
    switch (result->outcome) {
    case TAP_CHECKED_IN:
    case TAP_ALREADY_IN:
        return 0;
    case TAP_CHECKED_OUT:
    case TAP_ALREADY_OUT:
        return 1;
    default:
        return 2;
    }
}

void ui_handle_result(struct ui *ui, const struct tap_result *result, int64_t activity_id)
{
    if (result->outcome == TAP_FAILED)
        fprintf(stderr, "tilstede: not recorded: %s\n", result->message);
    ui->result = *result;
    ui->result_activity = activity_id;
    /* In staff mode the confirmation goes back to the screen the tap came
     * on, whose enter (from UI_CONFIRM) decides what it shows then; a tap
     * on a confirmation keeps the first one's way back. */
    if (ui->screen != UI_CONFIRM)
        ui->after_confirm = ui->staff_open ? ui->screen : UI_HOME;
    if (ui->staff_open && result->outcome == TAP_UNKNOWN_CARD)
        ui->staff_message[0] = '\0'; /* "forgotten, tap it again" is answered */
    ui_go(ui, UI_CONFIRM);
    ui->home_stale = 1;
    int long_read = result->milestone || result->notices || result->outcome == TAP_REFUSED ||
                    result->outcome == TAP_FAILED;
    ui->screen_deadline_ms =
        SDL_GetTicks64() + (uint64_t)(long_read && ui->options.confirm_ms < UI_NOTICE_MS
                                          ? UI_NOTICE_MS
                                          : ui->options.confirm_ms);
    /* Sound after the frame: the picture must not wait for the speaker. */
    ui->pending_sound = result_sound(result);
    if (result->event_id[0])
        ui_recorded(ui);
}

void ui_confirm_done(struct ui *ui)
{
    ui->screen_deadline_ms = 0;
    ui_go(ui, ui->staff_open ? ui->after_confirm : UI_HOME);
}

void ui_recorded(struct ui *ui)
{
    if (ui->options.recorded)
        ui->options.recorded(ui->options.hook_user);
}

void ui_show_result(struct ui *ui, const struct tap_result *result)
{
    ui_handle_result(ui, result, 0);
}

/* --- the doorbell --- */

static void ring(struct ui *ui)
{
    SDL_Event event;
    SDL_zero(event);
    event.type = ui->event_type;
    /* A full SDL queue loses the event: the wait's own ring still wakes. */
    if (SDL_PushEvent(&event) != 1 && ui->waiter)
        ui_wait_ring(ui->waiter);
}

static void ring_from_worker(void *user)
{
    ring(user);
}

void ui_post_tap(struct ui *ui, const uint8_t *uid, size_t uid_len)
{
    if (uid_len > READER_UID_MAX)
        return;
    pthread_mutex_lock(&ui->lock);
    if (ui->tap_count < UI_TAP_QUEUE) {
        int slot = (ui->tap_head + ui->tap_count) % UI_TAP_QUEUE;
        memcpy(ui->taps[slot].uid, uid, uid_len);
        ui->taps[slot].len = uid_len;
        ui->taps[slot].posted_us = mono_us();
        ui->tap_count++;
    }
    pthread_mutex_unlock(&ui->lock);
    ring(ui);
}

void ui_post_reader_state(struct ui *ui, enum reader_state state)
{
    pthread_mutex_lock(&ui->lock);
    ui->posted_state = (int)state;
    pthread_mutex_unlock(&ui->lock);
    ring(ui);
}

void ui_post_upload_status(struct ui *ui, const struct ui_upload_status *status)
{
    pthread_mutex_lock(&ui->lock);
    ui->posted_upload = *status;
    ui->upload_posted = 1;
    pthread_mutex_unlock(&ui->lock);
    ring(ui);
}

void ui_quit(struct ui *ui)
{
    pthread_mutex_lock(&ui->lock);
    ui->quit = 1;
    pthread_mutex_unlock(&ui->lock);
    ring(ui);
}

static void handle_posted(struct ui *ui)
{
    for (;;) {
        uint8_t uid[READER_UID_MAX];
        size_t len = 0;
        int64_t posted = 0;
        int state;
        struct ui_upload_status upload;
        int upload_posted;
        pthread_mutex_lock(&ui->lock);
        state = ui->posted_state;
        ui->posted_state = -1;
        upload = ui->posted_upload;
        upload_posted = ui->upload_posted;
        ui->upload_posted = 0;
        if (ui->tap_count) {
            memcpy(uid, ui->taps[ui->tap_head].uid, sizeof uid);
            len = ui->taps[ui->tap_head].len;
            posted = ui->taps[ui->tap_head].posted_us;
            ui->tap_head = (ui->tap_head + 1) % UI_TAP_QUEUE;
            ui->tap_count--;
        }
        pthread_mutex_unlock(&ui->lock);
        if (upload_posted && memcmp(&upload, &ui->upload, sizeof upload)) {
            ui->upload = upload;
            if (ui->screen == UI_HOME)
                ui->dirty = 1;
            /* A run of the uploader may have fetched back events after a
             * restore: the staff menu's count is read again (worker). */
            ui->home_stale = 1;
        }
        if (state >= 0 && (enum reader_state)state != ui->reader_state) {
            ui->reader_state = (enum reader_state)state;
            if (ui->screen == UI_HOME)
                ui->dirty = 1;
        }
        if (!len)
            return;
        /* The next person's tap always works, on any screen. */
        struct tap_result result;
        memset(&result, 0, sizeof result);
        if (kiosk_tap(ui->kiosk, uid, len, &result) < 0 && result.outcome != TAP_FAILED) {
            result.outcome = TAP_FAILED;
            snprintf(result.message, sizeof result.message, "%s", kiosk_errmsg(ui->kiosk));
            result.error = kiosk_errkind(ui->kiosk);
        }
        ui->tap_posted_us = posted;
        ui->tap_committed_us = mono_us();
        ui->tap_waiting_frame = 1;
        ui_handle_result(ui, &result, 0);
    }
}

/* --- input --- */

static void activate(struct ui *ui, const struct layout_box *box)
{
    const struct ui_screen_ops *screen = screens[ui->screen];
    if (screen->action)
        screen->action(ui, box);
    ui->dirty = 1;
}

/* Not a button: a key, Escape, the alarm (ACT_KEY, ACT_BACK, ACT_ALARM). */
static void activate_as(struct ui *ui, int action, int64_t arg)
{
    struct layout_box box;
    memset(&box, 0, sizeof box);
    box.action = action;
    box.arg = arg;
    activate(ui, &box);
}

/* A point on the output to the layout's coordinates. */
static void to_layout(struct ui *ui, int px, int py, int *lx, int *ly)
{
    layout_unrotate(ui->rotation, ui->out_w, ui->out_h, px, py, lx, ly);
}

static void press(struct ui *ui, int px, int py)
{
    int x, y;
    to_layout(ui, px, py, &x, &y);
    const struct layout_box *box = layout_hit(ui->layout, x, y);
    ui->pressed = box ? (int)(box - ui->layout->box) : -1;
    ui->press_x = x;
    ui->press_y = y;
    ui_touch_idle(ui);
    if (box)
        ui->dirty = 1; /* show the button pressed */
}

static void release(struct ui *ui, int px, int py)
{
    int x, y;
    to_layout(ui, px, py, &x, &y);
    int index = ui->pressed;
    ui->pressed = -1;
    ui_touch_idle(ui);
    if (index < 0 || index >= ui->layout->count) {
        activate(ui, NULL); /* anywhere on a confirmation sends it away */
        return;
    }
    ui->dirty = 1;
    const struct layout_box *box = &ui->layout->box[index];
    /* Shaky hands: a finger that slid a little off the button still counts. */
    int slack = layout_px(ui->layout, 24);
    if (x < box->x - slack || y < box->y - slack || x >= box->x + box->w + slack ||
        y >= box->y + box->h + slack)
        return;
    struct layout_box copy = *box; /* the action may rebuild the layout */
    activate(ui, &copy);
}

static void window_point(struct ui *ui, int wx, int wy, int *px, int *py)
{
    int ww, wh;
    SDL_GetWindowSize(ui->window, &ww, &wh);
    *px = ww > 0 ? wx * ui->out_w / ww : wx;
    *py = wh > 0 ? wy * ui->out_h / wh : wy;
}

static void key_down(struct ui *ui, const SDL_KeyboardEvent *key)
{
    SDL_Keycode sym = key->keysym.sym;
    if (sym >= SDLK_F1 && sym <= SDLK_F5 && ui->options.demo_key) {
        ui->options.demo_key(ui->options.demo_user, (int)(sym - SDLK_F1));
        return;
    }
    ui_touch_idle(ui);
    if (sym == SDLK_ESCAPE)
        activate_as(ui, ACT_BACK, 0);
    else if (sym == SDLK_BACKSPACE || sym == SDLK_RETURN)
        activate_as(ui, ACT_KEY, sym == SDLK_BACKSPACE ? OSK_BACKSPACE : '\n');
}

static void text_input(struct ui *ui, const char *text)
{
    /* Letters typed on a real keyboard (development, staff): decode UTF-8
     * and feed the same paths as the on-screen keys. */
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t code = *p;
        int len = 1;
        if (*p >= 0xC0 && *p < 0xE0 && p[1]) {
            code = ((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F);
            len = 2;
        } else if (*p >= 0xE0) {
            code = 0;
            len = *p >= 0xF0 ? 4 : 3;
        }
        p += len;
        if (code >= 'A' && code <= 'Z')
            code += 'a' - 'A';
        if (code >= 0xC0 && code <= 0xDE && code != 0xD7)
            code += 0x20; /* Æ Ø Å and the other Latin-1 capitals */
        if (code)
            activate_as(ui, ACT_KEY, code);
    }
}

static void handle_event(struct ui *ui, const SDL_Event *event)
{
    int px, py;
    switch (event->type) {
    case SDL_QUIT:
        ui->quit = 1;
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (event->button.which == SDL_TOUCH_MOUSEID || event->button.button != SDL_BUTTON_LEFT)
            break;
        window_point(ui, event->button.x, event->button.y, &px, &py);
        if (event->type == SDL_MOUSEBUTTONDOWN)
            press(ui, px, py);
        else
            release(ui, px, py);
        break;
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
        px = (int)(event->tfinger.x * (float)ui->out_w);
        py = (int)(event->tfinger.y * (float)ui->out_h);
        if (event->type == SDL_FINGERDOWN)
            press(ui, px, py);
        else
            release(ui, px, py);
        break;
    case SDL_KEYDOWN:
        key_down(ui, &event->key);
        break;
    case SDL_TEXTINPUT:
        text_input(ui, event->text.text);
        break;
    case SDL_WINDOWEVENT:
        if (event->window.event == SDL_WINDOWEVENT_EXPOSED ||
            event->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            ui->dirty = 1; /* the canvas is intact: it is put on the output again */
        break;
    case SDL_RENDER_DEVICE_RESET: /* every texture is gone, the canvas too */
        if (ui->target)
            SDL_DestroyTexture(ui->target);
        ui->target = SDL_CreateTexture(ui->renderer, SDL_PIXELFORMAT_RGB888,
                                       SDL_TEXTUREACCESS_TARGET, ui->w, ui->h);
        if (!ui->target)
            fprintf(stderr, "tilstede: cannot make the screen's canvas again: %s\n",
                    SDL_GetError());
        /* fall through */
    case SDL_RENDER_TARGETS_RESET: /* what they held is gone */
        text_flush(ui->text);
        ui->canvas_valid = 0;
        ui->dirty = 1;
        break;
    default:
        if (event->type == ui->event_type)
            handle_posted(ui);
        break;
    }
}

/* --- drawing --- */

static void build(struct ui *ui)
{
    layout_begin(ui->layout, ui->w, ui->h, text_metrics(ui->text), COLOUR_PAGE);
    layout_set_px_per_mm(ui->layout, ui->px_per_mm);
    screens[ui->screen]->build(ui, ui->layout);
    if (ui->pressed >= ui->layout->count)
        ui->pressed = -1;
}

/* Paints the layout into the canvas, only where it looks different from
 * the picture already there (the clock's minute, a pressed button), then
 * puts the canvas on the output, turned as the screen is mounted. */
static void paint(struct ui *ui)
{
    const struct layout_box *pressed = ui->pressed >= 0 ? &ui->layout->box[ui->pressed] : NULL;
    if (!ui->target) { /* lost with the device and not made again: all of it, directly */
        render_layout(ui->renderer, ui->text, ui->layout, pressed, NULL);
        ui->damage_px = (int64_t)ui->w * ui->h;
        return;
    }
    struct layout_rect damage[UI_DAMAGE_MAX];
    int count = ui->canvas_valid ? layout_damage(ui->drawn, ui->drawn_pressed, ui->layout,
                                                 ui->pressed, damage, UI_DAMAGE_MAX)
                                 : -1;
    SDL_SetRenderTarget(ui->renderer, ui->target);
    if (count < 0) {
        render_layout(ui->renderer, ui->text, ui->layout, pressed, NULL);
        ui->damage_px = (int64_t)ui->w * ui->h;
    } else {
        ui->damage_px = 0;
        for (int i = 0; i < count; i++) {
            SDL_Rect clip = {damage[i].x, damage[i].y, damage[i].w, damage[i].h};
            render_layout(ui->renderer, ui->text, ui->layout, pressed, &clip);
            ui->damage_px += (int64_t)clip.w * clip.h;
        }
    }
    memcpy(ui->drawn, ui->layout, sizeof *ui->drawn);
    ui->drawn_pressed = ui->pressed;
    ui->canvas_valid = 1;
    SDL_SetRenderTarget(ui->renderer, NULL);
    SDL_SetRenderDrawColor(ui->renderer, 0, 0, 0, 255);
    SDL_RenderClear(ui->renderer);
    SDL_Rect dst = {(ui->out_w - ui->w) / 2, (ui->out_h - ui->h) / 2, ui->w, ui->h};
    SDL_RenderCopyEx(ui->renderer, ui->target, NULL, &dst, ui->rotation, NULL, SDL_FLIP_NONE);
}

/* The minute the clock shows: a count, not tm_min, so a clock that jumps
 * by whole hours still moves on. */
static int64_t minute_of(const struct ui *ui)
{
    return ui_now_us(ui) / 60000000;
}

void ui_frame_paint(struct ui *ui)
{
    ui->last_minute = minute_of(ui);
    build(ui);
    paint(ui);
}

void ui_frame_present(struct ui *ui)
{
    SDL_RenderPresent(ui->renderer);
    ui->frames++;
    ui->dirty = 0;
    __atomic_store_n(&ui->presented_us, mono_us(), __ATOMIC_RELEASE);
    if (ui->tap_waiting_frame) {
        ui->tap_presented_us = mono_us();
        ui->tap_waiting_frame = 0;
    }
    if (ui->pending_sound >= 0) {
        ui_play(ui, ui->pending_sound);
        ui->pending_sound = -1;
    }
}

static void draw(struct ui *ui)
{
    ui_frame_paint(ui);
    ui_frame_present(ui);
}

int64_t ui_redraw(struct ui *ui)
{
    int64_t start = mono_us();
    ui_frame_paint(ui);
    int64_t took = mono_us() - start;
    ui_frame_present(ui);
    return took;
}

/* --- timers --- */

static void timers(struct ui *ui)
{
    uint64_t now = SDL_GetTicks64();
    if (ui->screen_deadline_ms && now >= ui->screen_deadline_ms) {
        ui->screen_deadline_ms = 0;
        if (ui->idle_ms == UI_IDLE_OWN)
            activate(ui, NULL); /* its time is up */
        else
            ui_go(ui, UI_HOME); /* left alone */
    }
    if (ui->alarm_us && ui_now_us(ui) >= ui->alarm_us) {
        ui->alarm_us = 0;
        activate_as(ui, ACT_ALARM, 0);
    }
    if (ui->screen == UI_PIN && ui->pin_locked_until_ms && now >= ui->pin_locked_until_ms) {
        /* The wait is over; the count of wrong PINs stays until the right one. */
        ui->pin_locked_until_ms = 0;
        snprintf(ui->pin_message, sizeof ui->pin_message, "%s",
                 T(ui->tr, "Try again. Another wrong PIN makes the pad wait longer."));
        ui->dirty = 1;
    } else if (ui->screen == UI_PIN && ui->pin_locked_until_ms &&
               (int)((ui->pin_locked_until_ms - now + 999) / 1000) != ui->pin_wait_shown_s) {
        ui->dirty = 1; /* the seconds left */
    }
    if (minute_of(ui) != ui->sweep_minute) {
        /* Once a minute: close forgotten visits, refresh the home screen. */
        ui->sweep_minute = minute_of(ui);
        home_submit(ui, 1);
    }
    if (minute_of(ui) != ui->last_minute && (ui->screen == UI_HOME || ui->screen == UI_PIN))
        ui->dirty = 1; /* the clock (and the PIN lock's "until") */
    if (ui->audio && now >= ui->audio_close_at) {
        SDL_CloseAudioDevice(ui->audio);
        ui->audio = 0;
    }
}

/* Milliseconds until the next thing the loop must do by itself. */
static int next_wait_ms(struct ui *ui, int limit)
{
    uint64_t now = SDL_GetTicks64();
    int64_t wait = limit;
    int64_t wall = ui_now_us(ui);
    int64_t to_minute = (60000000 - wall % 60000000) / 1000 + 1;
    if (to_minute < wait)
        wait = to_minute;
    if (ui->screen_deadline_ms && (int64_t)(ui->screen_deadline_ms - now) < wait)
        wait = (int64_t)(ui->screen_deadline_ms - now);
    if (ui->pin_locked_until_ms && ui->screen == UI_PIN) {
        /* Wake for each second the waiting pad counts down, and for its end. */
        int64_t left = (int64_t)(ui->pin_locked_until_ms - now);
        int64_t tick = left % 1000 ? left % 1000 : 1000;
        if (left < wait)
            wait = left;
        if (tick < wait)
            wait = tick;
    }
    if (ui->alarm_us && (ui->alarm_us - wall) / 1000 + 1 < wait)
        wait = (ui->alarm_us - wall) / 1000 + 1;
    if (ui->audio && (int64_t)(ui->audio_close_at - now) < wait)
        wait = (int64_t)(ui->audio_close_at - now);
    return wait < 0 ? 0 : (int)wait;
}

int ui_step(struct ui *ui, int timeout_ms)
{
    SDL_Event event;
    uint64_t until = SDL_GetTicks64() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        while (SDL_PollEvent(&event))
            handle_event(ui, &event);
        /* What other threads posted (also when their SDL event was lost). */
        handle_posted(ui);
        jobs_finished(ui);
        timers(ui);
        if (ui->dirty)
            draw(ui);
        /* After the frame: the worker's reads do not compete with it. */
        if (ui->home_stale && !ui->home_jobs)
            home_submit(ui, 0);
        /* After drawing: a wedged draw must starve the watchdog. */
        if (ui->options.tick)
            ui->options.tick(ui->options.hook_user);
        pthread_mutex_lock(&ui->lock);
        int quit = ui->quit;
        pthread_mutex_unlock(&ui->lock);
        if (quit)
            return 1;
        uint64_t now = SDL_GetTicks64();
        if (now >= until)
            return 0;
        /* Asleep until an event (a touch, a key, another thread's doorbell)
         * or the next timer: nothing is looked at on a clock. */
        if (ui_wait_event(ui->waiter, &event, next_wait_ms(ui, (int)(until - now))))
            handle_event(ui, &event);
        ui->wakeups++;
    }
}

int ui_run(struct ui *ui)
{
    while (!ui_step(ui, 3600 * 1000)) {
    }
    return 0;
}

/* --- opening --- */

static int open_window(struct ui *ui, char *err, size_t errlen)
{
    int w = ui->options.width, h = ui->options.height;
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (w <= 0 || h <= 0) {
        /* The display's current mode: never change it (the board's panel
         * has one mode, and a mode switch blanks it). */
        SDL_DisplayMode mode;
        if (SDL_GetDesktopDisplayMode(0, &mode) < 0) {
            snprintf(err, errlen, "no display: %s", SDL_GetError());
            return -ENODEV;
        }
        w = mode.w;
        h = mode.h;
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_ShowCursor(SDL_DISABLE);
    }
    ui->window =
        SDL_CreateWindow("Tilstede", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!ui->window) {
        snprintf(err, errlen, "cannot open a %dx%d window: %s", w, h, SDL_GetError());
        return -ENODEV;
    }
    /* The picture is kept in a canvas of its own (a target texture): the
     * output's back buffer is undefined after a present, and only changed
     * parts are repainted. SDL's first renderer is not always able to: on a
     * board whose GL driver lacks framebuffer objects it fails, so each
     * renderer is tried until one makes the canvas. The software renderer
     * comes first (unless SDL_RENDER_DRIVER names one): the screens change
     * a few boxes at a time and it draws them in a few ms, while Mesa's
     * OpenGL holds 100 MB more (README, "Benchmarks"). */
    char tried[512] = "";
    size_t used = 0;
    int software = -1, count = SDL_GetNumRenderDrivers();
    for (int index = 0; index < count && !getenv("SDL_RENDER_DRIVER"); index++) {
        SDL_RendererInfo info;
        if (SDL_GetRenderDriverInfo(index, &info) == 0 && !strcmp(info.name, "software"))
            software = index;
    }
    for (int attempt = software >= 0 ? -2 : -1; attempt < count; attempt++) {
        int index = attempt == -2 ? software : attempt;
        if (attempt >= 0 && attempt == software)
            continue; /* tried first */
        SDL_RendererInfo info = {.name = "?"};
        if (index >= 0)
            SDL_GetRenderDriverInfo(index, &info);
        ui->renderer = SDL_CreateRenderer(ui->window, index, 0);
        if (ui->renderer) {
            SDL_GetRendererInfo(ui->renderer, &info);
            SDL_GetRendererOutputSize(ui->renderer, &ui->out_w, &ui->out_h);
            /* Square pixels: the longer sides give the pixels per mm. */
            int long_px = ui->out_w > ui->out_h ? ui->out_w : ui->out_h;
            int width_mm = ui->options.panel_width_mm ? ui->options.panel_width_mm
                                                      : ui->config->panel_width_mm;
            int height_mm = ui->options.panel_height_mm ? ui->options.panel_height_mm
                                                        : ui->config->panel_height_mm;
            int long_mm = width_mm > height_mm ? width_mm : height_mm;
            ui->px_per_mm = long_mm > 0 ? (double)long_px / long_mm : 0;
            ui->w = ui->out_w;
            ui->h = ui->out_h;
            if (ui->rotation == 90 || ui->rotation == 270) {
                ui->w = ui->out_h;
                ui->h = ui->out_w;
            }
            ui->target = SDL_CreateTexture(ui->renderer, SDL_PIXELFORMAT_RGB888,
                                           SDL_TEXTUREACCESS_TARGET, ui->w, ui->h);
            if (ui->target) {
                /* One line for IT: what the screen runs on. */
                fprintf(stderr, "tilstede: screen: %dx%d, SDL video driver %s, renderer %s%s%s%s\n",
                        ui->out_w, ui->out_h, SDL_GetCurrentVideoDriver(), info.name,
                        tried[0] ? " (failed before it: " : "", tried, tried[0] ? ")" : "");
                return 0;
            }
            SDL_DestroyRenderer(ui->renderer);
            ui->renderer = NULL;
        }
        if (used < sizeof tried)
            used += (size_t)snprintf(tried + used, sizeof tried - used, "%s%s: %s",
                                     used ? "; " : "", index < 0 ? "default" : info.name,
                                     SDL_GetError());
    }
    snprintf(err, errlen, "no renderer can draw the screen's canvas (%s)", tried);
    return -ENODEV;
}

/* At boot the display's kernel driver may still be loading when systemd
 * starts the kiosk (a slow SD card, a busy first boot): SDL's kmsdrm then
 * finds no DRM device. On kmsdrm the kiosk waits for it, up to
 * UI_DISPLAY_WAIT_MS, saying so once, rather than failing its start and
 * coming back 5 s later from systemd's restart. Other drivers fail at once. */
#define UI_DISPLAY_WAIT_MS 60000
#define UI_DISPLAY_RETRY_MS 250

static int init_video(char *err, size_t errlen)
{
    const char *driver = SDL_getenv("SDL_VIDEODRIVER");
    int waits = driver && SDL_strcasecmp(driver, "kmsdrm") == 0;
    for (int waited_ms = 0;; waited_ms += UI_DISPLAY_RETRY_MS) {
        if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) == 0) {
            if (waited_ms > 0)
                fprintf(stderr, "tilstede: the display came after %d ms\n", waited_ms);
            return 0;
        }
        if (!waits || waited_ms >= UI_DISPLAY_WAIT_MS) {
            snprintf(err, errlen, "SDL: %s", SDL_GetError());
            return -ENODEV;
        }
        if (waited_ms == 0)
            fprintf(stderr, "tilstede: waiting up to %d s for the display: %s\n",
                    UI_DISPLAY_WAIT_MS / 1000, SDL_GetError());
        SDL_Delay(UI_DISPLAY_RETRY_MS); /* a failed SDL_Init undid itself */
    }
}

int ui_open(struct kiosk *kiosk, const struct clock_source *clock, const struct ui_options *options,
            struct ui **out, char *err, size_t errlen)
{
    int rc = 0;
    struct ui *ui = calloc(1, sizeof *ui);
    *out = NULL;
    if (!ui || !(ui->layout = calloc(1, sizeof *ui->layout)) ||
        !(ui->drawn = calloc(1, sizeof *ui->drawn))) {
        if (ui)
            free(ui->layout);
        free(ui);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    ui->kiosk = kiosk;
    ui->config = kiosk_config(kiosk);
    ui->clock = clock;
    ui->options = *options;
    ui->pressed = -1;
    ui->posted_state = -1;
    ui->pending_sound = -1;
    ui->reader_state = READER_STARTING;
    ui->dirty = 1;
    pthread_mutex_init(&ui->lock, NULL);
    if (!ui->options.confirm_ms)
        ui->options.confirm_ms = UI_CONFIRM_MS;
    if (!ui->options.staff_idle_ms)
        ui->options.staff_idle_ms = UI_STAFF_IDLE_MS;
    if (!ui->options.name_idle_ms)
        ui->options.name_idle_ms = UI_NAME_IDLE_MS;
    if (!ui->options.pin_lock_ms)
        ui->options.pin_lock_ms = UI_PIN_LOCK_MS;
    ui->rotation = options->rotation ? options->rotation : ui->config->rotation;
    if (ui->rotation != 0 && ui->rotation != 90 && ui->rotation != 180 && ui->rotation != 270) {
        rc = -EINVAL;
        snprintf(err, errlen, "rotation %d is not 0, 90, 180 or 270", ui->rotation);
        goto out;
    }
    snprintf(ui->reader_side, sizeof ui->reader_side, "%s",
             options->reader_side ? options->reader_side : ui->config->reader_side);
    snprintf(ui->locale_dir, sizeof ui->locale_dir, "%s", options->locale_dir);

    rc = ui_worker_start(kiosk, ring_from_worker, ui, &ui->worker, err, errlen);
    if (rc < 0)
        goto out;
    /* The first picture shows the real count and activities: read them once
     * here, before there is a screen to hold up. */
    struct ui_home_data first;
    memset(&first, 0, sizeof first);
    ui_home_read(kiosk, ui_now_us(ui), &first);
    ui_home_apply(ui, &first);
    rc =
        i18n_open(options->locale_dir, options->language ? options->language : ui->config->language,
                  &ui->tr, err, errlen);
    if (rc < 0)
        goto out;

    /* Touch is handled as touch: no mouse events made up from fingers. */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    /* The software renderer draws into the window's own framebuffer (X11's
     * shared memory), not into an OpenGL texture standing in for it: that
     * would load Mesa for nothing (the environment may still say "1"). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    rc = init_video(err, errlen);
    if (rc < 0)
        goto out;
    if (TTF_Init() < 0) {
        rc = -ENODEV;
        snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
        goto out;
    }
    rc = ui_wait_open(&ui->waiter, err, errlen);
    if (rc < 0)
        goto out;
    ui->event_type = SDL_RegisterEvents(1);
    if (ui->event_type == (Uint32)-1) {
        rc = -ENOSPC;
        snprintf(err, errlen, "SDL has no user event left");
        goto out;
    }
    char fonts[1024];
    snprintf(fonts, sizeof fonts, "%s/fonts", options->assets_dir);
    rc = text_open(fonts, &ui->text, err, errlen);
    if (rc < 0)
        goto out;
    rc = open_window(ui, err, errlen);
    if (rc < 0)
        goto out;
    sounds_load(ui);
    SDL_StartTextInput();
    ui->last_input_ms = 0;
out:
    if (rc < 0) {
        ui_close(ui);
        ui = NULL;
    }
    *out = ui;
    return rc;
}

void ui_close(struct ui *ui)
{
    if (!ui)
        return;
    ui_worker_stop(ui->worker); /* before the wait it rings closes */
    sounds_free(ui);
    if (ui->text)
        text_close(ui->text); /* textures before the renderer */
    if (ui->target)
        SDL_DestroyTexture(ui->target);
    if (ui->renderer)
        SDL_DestroyRenderer(ui->renderer);
    if (ui->window)
        SDL_DestroyWindow(ui->window);
    if (TTF_WasInit())
        TTF_Quit();
    ui_wait_close(ui->waiter); /* its event watch before SDL goes */
    ui->waiter = NULL;
    if (SDL_WasInit(0))
        SDL_Quit();
    i18n_close(ui->tr);
    pthread_mutex_destroy(&ui->lock);
    free(ui->rows);
    free(ui->layout);
    free(ui->drawn);
    free(ui);
}

/* --- for tests --- */

int ui_settle(struct ui *ui, int timeout_ms)
{
    uint64_t until = SDL_GetTicks64() + (uint64_t)timeout_ms;
    while (ui->home_stale || ui_worker_pending(ui->worker)) {
        if (SDL_GetTicks64() >= until)
            return -ETIMEDOUT;
        ui_step(ui, 1);
    }
    return 0;
}

enum ui_screen ui_current(const struct ui *ui)
{
    return ui->screen;
}
const struct layout *ui_layout(const struct ui *ui)
{
    return ui->layout;
}
uint64_t ui_frames(const struct ui *ui)
{
    return ui->frames;
}
int64_t ui_damage(const struct ui *ui)
{
    return ui->damage_px;
}
void ui_repaint_all(struct ui *ui)
{
    ui->canvas_valid = 0;
    ui->dirty = 1;
}

void ui_output_size(const struct ui *ui, int *w, int *h)
{
    *w = ui->out_w;
    *h = ui->out_h;
}

void ui_presented(const struct ui *ui, uint64_t *frames, int64_t *presented_us)
{
    *presented_us = __atomic_load_n(&ui->presented_us, __ATOMIC_ACQUIRE);
    *frames = __atomic_load_n(&ui->frames, __ATOMIC_ACQUIRE);
}

void ui_tap_latency(const struct ui *ui, int64_t *posted_us, int64_t *presented_us,
                    int64_t *committed_us)
{
    *posted_us = ui->tap_posted_us;
    *presented_us = ui->tap_presented_us;
    *committed_us = ui->tap_committed_us;
}

int ui_set_language(struct ui *ui, const char *lang)
{
    struct i18n *tr;
    char err[256];
    if (i18n_open(ui->locale_dir, lang, &tr, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: %s\n", err);
        return -EINVAL;
    }
    i18n_close(ui->tr);
    ui->tr = tr;
    ui->dirty = 1;
    return 0;
}
