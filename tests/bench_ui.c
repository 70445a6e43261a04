/* UI benchmarks (figures, never pass/fail): reader event to confirmation
 * frame presented beside the core's commit in the same run; layout+render
 * time of every screen at 1280x800 with the software renderer; idle CPU
 * with the reader polling (TILSTEDE_BENCH_IDLE_S seconds, default 10; the
 * issue's figure is over 60) and resident memory; a touch pushed from
 * another thread to the frame presented, the loop asleep, beside the reader
 * tap's. Run it under Xvfb with SDL_VIDEODRIVER=x11 for X11's figures. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"
#include "pn532_sim.h"
#include "reader.h"
#include "test_ui_harness.h"
#include "ui_internal.h"

#define TAPS    60
#define RENDERS 40

static int compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void stats(const char *what, int64_t *values, int count)
{
    qsort(values, (size_t)count, sizeof *values, compare);
    int p99 = (count * 99 + 99) / 100 - 1;
    printf("  %-44s median %7.2f ms   p99 %7.2f ms\n", what, values[count / 2] / 1000.0,
           values[p99 < count ? p99 : count - 1] / 1000.0);
}

static double cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double wall_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

static long status_kb(const char *key)
{
    FILE *file = fopen("/proc/self/status", "r");
    char line[256];
    long value = -1;
    while (file && fgets(line, sizeof line, file))
        if (!strncmp(line, key, strlen(key)))
            value = strtol(line + strlen(key), NULL, 10);
    if (file)
        fclose(file);
    return value;
}

struct poster {
    struct ui *ui;
    int index;
};

static void *post(void *arg)
{
    struct poster *p = arg;
    ui_post_tap(p->ui, demo_card_uid[p->index % 4], DEMO_UID_LEN);
    return NULL;
}

static void taps(struct harness *h)
{
    int64_t frame[TAPS], commit[TAPS], added[TAPS];
    for (int i = 0; i < TAPS; i++) {
        /* A minute apart, so each tap toggles and commits (no repeat window). */
        clock_fake_advance(&h->clock, INT64_C(61) * 1000000);
        harness_pump(h, 0);
        struct poster p = {h->ui, i};
        pthread_t thread;
        pthread_create(&thread, NULL, post, &p);
        pthread_join(thread, NULL);
        harness_pump(h, 0);
        int64_t posted, presented, committed;
        ui_tap_latency(h->ui, &posted, &presented, &committed);
        frame[i] = presented - posted;
        commit[i] = committed - posted;
        added[i] = presented - committed;
    }
    printf("tap to screen at %dx%d (%d taps, software renderer):\n", ui_layout(h->ui)->w,
           ui_layout(h->ui)->h, TAPS);
    stats("reader event -> confirmation frame presented", frame, TAPS);
    stats("reader event -> core commit done (baseline)", commit, TAPS);
    stats("added by the UI (commit -> frame presented)", added, TAPS);
}

static void renders(struct harness *h)
{
    printf("layout + render per screen at 1280x800 (software renderer, %d frames each):\n",
           RENDERS);
    harness_press(h, ACT_DISMISS, 0, 1);
    static const enum ui_screen screens[] = {
        UI_HOME, UI_CONFIRM, UI_NAME, UI_PIN, UI_STAFF, UI_STAFF_PRESENT, UI_STAFF_ACTIVITIES};
    for (size_t s = 0; s < sizeof screens / sizeof screens[0]; s++) {
        switch (screens[s]) {
        case UI_CONFIRM:
            harness_card(h, demo_card_uid[2], DEMO_UID_LEN);
            break;
        case UI_NAME:
            harness_press(h, ACT_DISMISS, 0, 1);
            harness_press(h, ACT_NAME_START, 0, 1);
            harness_type(h, "ka");
            break;
        case UI_PIN:
            harness_press(h, ACT_BACK, 0, 1);
            harness_press(h, ACT_STAFF_OPEN, 0, 1);
            break;
        case UI_STAFF:
            for (const char *p = HARNESS_PIN; *p; p++)
                harness_press(h, ACT_PIN_DIGIT, *p - '0', 0);
            harness_press(h, ACT_PIN_OK, 0, 1);
            break;
        case UI_STAFF_PRESENT:
        case UI_STAFF_ACTIVITIES:
            harness_press(h, ACT_BACK, 0, 1);
            harness_press(h, ACT_STAFF_MENU, screens[s], 0);
            break;
        default:
            break;
        }
        int64_t times[RENDERS];
        ui_repaint_all(h->ui);
        ui_redraw(h->ui); /* warm the text cache, as a second frame would be */
        for (int i = 0; i < RENDERS; i++) {
            ui_repaint_all(h->ui); /* the whole picture, every box */
            times[i] = ui_redraw(h->ui);
        }
        char label[64];
        snprintf(label, sizeof label, "%s, whole", ui_screen_name(ui_current(h->ui)));
        stats(label, times, RENDERS);
    }
    /* What the idle kiosk draws: the clock's minute, repainted alone. */
    ui_go(h->ui, UI_HOME);
    harness_pump(h, 0);
    int64_t times[RENDERS], damage = 0;
    for (int i = 0; i < RENDERS; i++) {
        clock_fake_advance(&h->clock, INT64_C(60) * 1000000);
        times[i] = ui_redraw(h->ui);
        damage += ui_damage(h->ui);
    }
    stats("home, the minute changes (only it repainted)", times, RENDERS);
    printf("  (%.1f %% of the screen repainted on average)\n",
           100.0 * (double)damage / RENDERS / (1280.0 * 800.0));
}

static void idle(struct harness *h, const char *label, double seconds)
{
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    harness_pump(h, 200);
    uint64_t frames = ui_frames(h->ui);
    double cpu = cpu_seconds(), start = wall_seconds();
    /* ui_run's loop, with a deadline. */
    while (wall_seconds() - start < seconds)
        ui_step(h->ui, 1000);
    double used = cpu_seconds() - cpu, wall = wall_seconds() - start;
    printf("idle on the home screen, %s, %.0f s: CPU %.3f %% of one core, %llu frames drawn\n",
           label, wall, 100.0 * used / wall, (unsigned long long)(ui_frames(h->ui) - frames));
}

/* --- touch to frame, with the loop asleep as it is when people come --- */

#define TOUCHES 60

struct toucher {
    struct ui *ui;
    float x[2], y[2]; /* home's name button, the name screen's Back */
    int64_t touch[TOUCHES], tap[TOUCHES];
    int done;
};

static int64_t mono_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* The first frame presented after since, as seen from this thread. */
static int64_t frame_after(struct ui *ui, uint64_t frames_before, int64_t since)
{
    for (;;) {
        uint64_t frames;
        int64_t at;
        ui_presented(ui, &frames, &at);
        if (frames > frames_before && at >= since)
            return at - since;
        usleep(50);
    }
}

static void *touch_thread(void *arg)
{
    struct toucher *t = arg;
    for (int i = 0; i < 2 * TOUCHES; i++) {
        /* A pause a person would leave: the loop is asleep when the finger comes. */
        usleep(40000 + (unsigned)(i % 7) * 9000);
        uint64_t frames;
        int64_t at;
        ui_presented(t->ui, &frames, &at);
        int64_t start = mono_now_us();
        if (i < TOUCHES) {
            SDL_Event event;
            SDL_zero(event);
            event.tfinger.touchId = 1;
            event.tfinger.fingerId = 1;
            event.tfinger.x = t->x[i % 2];
            event.tfinger.y = t->y[i % 2];
            event.type = SDL_FINGERDOWN;
            SDL_PushEvent(&event);
            event.type = SDL_FINGERUP;
            SDL_PushEvent(&event);
            t->touch[i] = frame_after(t->ui, frames, start);
        } else {
            ui_post_tap(t->ui, demo_card_uid[i % 4], DEMO_UID_LEN);
            t->tap[i - TOUCHES] = frame_after(t->ui, frames, start);
        }
    }
    __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void box_centre(struct harness *h, int action, float *x, float *y)
{
    const struct layout_box *box = layout_find(ui_layout(h->ui), action, 0, 1);
    int w, hgt;
    ui_output_size(h->ui, &w, &hgt);
    *x = box ? (float)(box->x + box->w / 2) / (float)w : 0.5f;
    *y = box ? (float)(box->y + box->h / 2) / (float)hgt : 0.5f;
}

static void touches(struct harness *h)
{
    static struct toucher t;
    memset(&t, 0, sizeof t);
    t.ui = h->ui;
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    ui_go(h->ui, UI_HOME);
    harness_pump(h, 100);
    box_centre(h, ACT_NAME_START, &t.x[0], &t.y[0]);
    harness_press(h, ACT_NAME_START, 0, 1);
    box_centre(h, ACT_BACK, &t.x[1], &t.y[1]);
    harness_press(h, ACT_BACK, 0, 1);
    harness_pump(h, 100);
    pthread_t thread;
    pthread_create(&thread, NULL, touch_thread, &t);
    /* ui_run's loop: asleep until something happens. */
    while (!__atomic_load_n(&t.done, __ATOMIC_ACQUIRE))
        ui_step(h->ui, 200);
    pthread_join(thread, NULL);
    printf("touch to frame, the loop asleep between (%d touches, %d taps, video driver %s):\n",
           TOUCHES, TOUCHES, SDL_GetCurrentVideoDriver());
    stats("touch (home <-> name screen) -> frame presented", t.touch, TOUCHES);
    stats("reader tap -> confirmation presented (baseline)", t.tap, TOUCHES);
    int p99 = (TOUCHES * 99 + 99) / 100 - 1; /* as stats() takes it; both are sorted now */
    printf("  ratio touch / reader tap: median %.2f, p99 %.2f\n",
           (double)t.touch[TOUCHES / 2] / (double)(t.tap[TOUCHES / 2] ? t.tap[TOUCHES / 2] : 1),
           (double)t.touch[p99] / (double)(t.tap[p99] ? t.tap[p99] : 1));
}

static void on_tap(void *user, const uint8_t *uid, size_t len)
{
    ui_post_tap(user, uid, len);
}
/* The staff PIN's check is the kiosk's peak: Argon2id holds its whole
 * memory while it runs (on the worker thread). The same hash at the
 * kiosk's cost, then at libsodium's interactive cost, in this process. */
static void pin_peak(void)
{
    char hash[crypto_pwhash_STRBYTES];
    long before = status_kb("VmHWM:");
    if (kiosk_hash_pin("1234", hash, sizeof hash) < 0 ||
        crypto_pwhash_str_verify(hash, "1234", 4) != 0) {
        printf("the PIN hash failed\n");
        return;
    }
    long kiosk_cost = status_kb("VmHWM:");
    if (crypto_pwhash_str(hash, "1234", 4, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        printf("the interactive PIN hash failed\n");
        return;
    }
    long interactive = status_kb("VmHWM:");
    printf("peak with a PIN checked: %ld kB at the kiosk's %zu MiB (baseline, libsodium's "
           "interactive %d MiB: %ld kB); %ld kB before\n",
           kiosk_cost, KIOSK_PIN_HASH_MEMLIMIT_BYTES >> 20,
           (int)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20), interactive, before);
}

static void on_state(void *user, enum reader_state state, const char *detail)
{
    (void)detail;
    ui_post_reader_state(user, state);
}

int main(void)
{
    harness_environment();
    double seconds = getenv("TILSTEDE_BENCH_IDLE_S") ? atof(getenv("TILSTEDE_BENCH_IDLE_S")) : 10;
    struct harness h;
    if (harness_open(&h, 1280, 800, 0, "nb") < 0)
        return 1;
    taps(&h);
    renders(&h);
    touches(&h);

    /* Idle with the simulated reader ("sim": no polling of its own)... */
    struct reader *reader = NULL;
    char err[256];
    struct reader_callbacks callbacks = {on_tap, on_state, h.ui};
    if (reader_open("sim", &callbacks, &reader, err, sizeof err) == 0) {
        idle(&h, "reader \"sim\"", seconds);
        reader_close(reader);
    }
    /* ...and with libnfc polling a PN532 (the simulator's thread runs in
     * this process too, so this figure includes the fake chip). */
    struct pn532_sim *sim = pn532_sim_start(NULL);
    if (!sim)
        printf("pn532_sim did not start\n");
    else if (reader_open(pn532_sim_connstring(sim), &callbacks, &reader, err, sizeof err) < 0)
        printf("pn532 reader: %s\n", err);
    else {
        harness_pump(&h, 2000);
        idle(&h, "libnfc polling a simulated PN532 (fake chip included)", seconds);
        reader_close(reader);
    }
    pn532_sim_stop(sim);
    printf("resident memory: %ld kB now, %ld kB peak\n", status_kb("VmRSS:"), status_kb("VmHWM:"));
    pin_peak();
    harness_close(&h);
    return 0;
}
