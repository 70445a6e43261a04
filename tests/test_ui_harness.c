/* The UI test harness (see test_ui_harness.h). */
#include "test_ui_harness.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>

#include "demo.h"
#include "ui_internal.h"

void harness_environment(void)
{
    /* dummy, not offscreen: offscreen probes EGL (Mesa), whose leaks LSan reports. */
    setenv("SDL_VIDEODRIVER", "dummy", 0);
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    setenv("SDL_RENDER_DRIVER", "software", 0);
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
}

static int make_store(struct harness *h)
{
    char err[512];
    const char *base = getenv("TILSTEDE_TEST_TMP");
    snprintf(h->dir, sizeof h->dir, "%s/ui-XXXXXX", base ? base : "/tmp");
    mkdir(base ? base : "/tmp", 0700);
    if (!mkdtemp(h->dir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", h->dir, strerror(errno));
        return -1;
    }
    clock_fake_init(&h->clock, HARNESS_START_US);
    h->clock.synced = 1;
    config_defaults(&h->config);
    snprintf(h->config.site_name, sizeof h->config.site_name, "Solsiden helsehus (demo)");
    snprintf(h->config.reader, sizeof h->config.reader, "sim");
    /* Visits longer than an hour are closed: lets a test make one to review. */
    h->config.max_visit_s = 3600;
    snprintf(h->config.database, sizeof h->config.database, "%s/tilstede.db", h->dir);
    snprintf(h->config.card_key, sizeof h->config.card_key, "%s/card.key", h->dir);
    /* The smallest hashing cost: the tests check many PINs. */
    if (sodium_init() < 0 ||
        crypto_pwhash_str(h->config.staff_pin_hash, HARNESS_PIN, strlen(HARNESS_PIN),
                          crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
        return -1;
    if (kiosk_open(&h->config, &h->clock.source, &h->kiosk, err, sizeof err) < 0) {
        fprintf(stderr, "kiosk_open: %s\n", err);
        return -1;
    }
    if (demo_populate(h->kiosk, err, sizeof err) < 0) {
        fprintf(stderr, "demo_populate: %s\n", err);
        return -1;
    }
    return 0;
}

int harness_reopen_ui(struct harness *h, int w, int hgt, int rotation, const char *lang)
{
    char err[512];
    ui_close(h->ui);
    h->ui = NULL;
    /* Timings a test set in h->options before reopening are kept. */
    h->options.width = w;
    h->options.height = hgt;
    h->options.rotation = rotation;
    h->options.assets_dir = TILSTEDE_TEST_ASSETS;
    h->options.locale_dir = TILSTEDE_TEST_LOCALE;
    h->options.language = lang;
    h->options.silent = 0; /* the dummy audio driver: the sound path runs too */
    /* The panels such screens come in: 7" up to 1024 px, 10.1" at 1280,
     * 15.6" at 1920 (as mounted; the longer side is what counts). */
    int longer = w > hgt ? w : hgt;
    h->options.panel_width_mm = longer <= 1024 ? 154 : longer <= 1280 ? 217 : 344;
    h->options.panel_height_mm = longer <= 1024 ? 86 : longer <= 1280 ? 136 : 194;
    if (ui_open(h->kiosk, &h->clock.source, &h->options, &h->ui, err, sizeof err) < 0) {
        fprintf(stderr, "ui_open: %s\n", err);
        return -1;
    }
    ui_post_reader_state(h->ui, READER_CONNECTED);
    harness_pump(h, 0);
    return 0;
}

int harness_open(struct harness *h, int w, int hgt, int rotation, const char *lang)
{
    memset(h, 0, sizeof *h);
    memset(&h->options, 0, sizeof h->options);
    if (make_store(h) < 0)
        return -1;
    return harness_reopen_ui(h, w, hgt, rotation, lang);
}

void harness_close(struct harness *h)
{
    ui_close(h->ui);
    h->ui = NULL;
    kiosk_close(h->kiosk);
    h->kiosk = NULL;
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", h->dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", h->dir);
}

void harness_pump(struct harness *h, int ms)
{
    ui_step(h->ui, ms);
    /* Then what the input asked of the worker (a list, matches, a PIN)
     * reaches the screen, as a person would wait for it. */
    if (!h->no_settle && ui_settle(h->ui, 10000) < 0)
        fprintf(stderr, "harness: the screen's worker did not finish within 10 s\n");
}

/* Logical point to the physical output (the inverse of layout_unrotate). */
static void to_output(struct harness *h, int x, int y, int *px, int *py)
{
    int ow, oh;
    ui_output_size(h->ui, &ow, &oh);
    const struct layout *layout = ui_layout(h->ui);
    switch (h->options.rotation) {
    case 90:
        *px = layout->h - 1 - y;
        *py = x;
        break;
    case 180:
        *px = ow - 1 - x;
        *py = oh - 1 - y;
        break;
    case 270:
        *px = y;
        *py = layout->w - 1 - x;
        break;
    default:
        *px = x;
        *py = y;
        break;
    }
}

void harness_press_at(struct harness *h, int x, int y)
{
    int px, py, ow, oh;
    to_output(h, x, y, &px, &py);
    ui_output_size(h->ui, &ow, &oh);
    SDL_Event event;
    for (int down = 1; down >= 0; down--) {
        SDL_zero(event);
        if (h->use_touch) {
            event.type = down ? SDL_FINGERDOWN : SDL_FINGERUP;
            event.tfinger.touchId = 1;
            event.tfinger.fingerId = 1;
            event.tfinger.x = ((float)px + 0.5f) / (float)ow;
            event.tfinger.y = ((float)py + 0.5f) / (float)oh;
            event.tfinger.pressure = 1;
        } else {
            event.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
            event.button.button = SDL_BUTTON_LEFT;
            event.button.state = down ? SDL_PRESSED : SDL_RELEASED;
            event.button.clicks = 1;
            event.button.x = px;
            event.button.y = py;
        }
        SDL_PushEvent(&event);
        harness_pump(h, 0);
    }
}

int harness_press(struct harness *h, int action, int64_t arg, int any_arg)
{
    const struct layout_box *box = layout_find(ui_layout(h->ui), action, arg, any_arg);
    if (!box)
        return -1;
    harness_press_at(h, box->x + box->w / 2, box->y + box->h / 2);
    return 0;
}

static void flatten(const char *in, char *out, size_t cap);

int harness_press_text(struct harness *h, const char *text)
{
    const struct layout *layout = ui_layout(h->ui);
    for (int i = 0; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        char flat[LAYOUT_TEXT_MAX];
        flatten(box->text, flat, sizeof flat); /* a no-break space reads as a space */
        /* A target's own words, or words lying on a target (a row). */
        if ((box->action || layout_hit(layout, box->x + box->w / 2, box->y + box->h / 2)) &&
            strstr(flat, text)) {
            harness_press_at(h, box->x + box->w / 2, box->y + box->h / 2);
            return 0;
        }
    }
    return -1;
}

int harness_type(struct harness *h, const char *letters)
{
    const unsigned char *p = (const unsigned char *)letters;
    while (*p) {
        uint32_t code = *p++;
        if (code >= 0xC0 && *p)
            code = ((code & 0x1F) << 6) | (*p++ & 0x3F);
        if (harness_press(h, ACT_KEY, code, 0) < 0)
            return -1;
    }
    return 0;
}

struct card_post {
    struct ui *ui;
    uint8_t uid[16];
    size_t len;
};

static void *post_card(void *arg)
{
    struct card_post *post = arg;
    ui_post_tap(post->ui, post->uid, post->len);
    return NULL;
}

void harness_card(struct harness *h, const uint8_t *uid, size_t len)
{
    /* From another thread, as the reader does. */
    struct card_post post = {h->ui, {0}, len};
    memcpy(post.uid, uid, len);
    pthread_t thread;
    pthread_create(&thread, NULL, post_card, &post);
    pthread_join(thread, NULL);
    harness_pump(h, 0);
}

int harness_check(struct harness *h, const char *label)
{
    char problems[32][LAYOUT_PROBLEM_LEN];
    ui_redraw(h->ui);
    int count = layout_check(ui_layout(h->ui), problems, 32);
    for (int i = 0; i < count && i < 32; i++)
        fprintf(stderr, "layout %s: %s\n", label, problems[i]);
    return count;
}

int harness_shot(struct harness *h, const char *name)
{
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/screenshots", TILSTEDE_TEST_BINARY_DIR);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/screenshots/%s.png", TILSTEDE_TEST_BINARY_DIR, name);
    if (ui_screenshot(h->ui, path, err, sizeof err) < 0) {
        fprintf(stderr, "screenshot: %s\n", err);
        return -1;
    }
    return 0;
}

/* Line breaks and no-break spaces (kl.\u00a014.30) read as spaces. */
static void flatten(const char *in, char *out, size_t cap)
{
    size_t used = 0;
    for (; *in && used + 1 < cap; in++) {
        if (in[0] == '\xC2' && in[1] == '\xA0') {
            out[used++] = ' ';
            in++;
        } else {
            out[used++] = *in == '\n' ? ' ' : *in;
        }
    }
    out[used] = '\0';
}

int harness_shows(struct harness *h, const char *needle)
{
    const struct layout *layout = ui_layout(h->ui);
    for (int i = 0; i < layout->count; i++) {
        char flat[LAYOUT_TEXT_MAX];
        flatten(layout->box[i].text, flat, sizeof flat);
        if (strstr(flat, needle))
            return 1;
    }
    return 0;
}

void harness_flatten(const char *in, char *out, size_t cap)
{
    flatten(in, out, cap);
}

/* --- English on a Norwegian screen --- */

#define ENGLISH_MAX       512
#define ENGLISH_PIECE_MIN 12 /* shorter pieces ("OK", "Staff") prove nothing */

struct english {
    int count;
    char piece[ENGLISH_MAX][128];
};

/* The msgstr "..." (or msgid) lines of a catalogue, one string each. */
static int po_strings(const char *path, const char *key, void (*take)(void *, const char *),
                      void *user)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return -1;
    char line[1024];
    size_t key_len = strlen(key);
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, key, key_len) || line[key_len] != ' ' || line[key_len + 1] != '"')
            continue;
        char *start = line + key_len + 2, *end = strrchr(start, '"');
        if (!end || end == start)
            continue;
        *end = '\0';
        take(user, start);
    }
    fclose(file);
    return 0;
}

/* The pieces of an English msgid between its {placeholders}. */
static void take_english(void *user, const char *msgid)
{
    struct english *english = user;
    const char *p = msgid;
    while (*p && english->count < ENGLISH_MAX) {
        const char *brace = strchr(p, '{');
        size_t len = brace ? (size_t)(brace - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == ':' || p[len - 1] == ','))
            len--;
        while (len && (*p == ' ' || *p == ',' || *p == ';' || *p == ')' || *p == ':')) {
            p++;
            len--;
        }
        if (len >= ENGLISH_PIECE_MIN && len < sizeof english->piece[0])
            snprintf(english->piece[english->count++], sizeof english->piece[0], "%.*s", (int)len,
                     p);
        if (!brace)
            break;
        const char *close = strchr(brace, '}');
        if (!close)
            break;
        p = close + 1;
    }
}

/* A piece also in a Norwegian text (a name, a number) is not English. */
static void drop_norwegian(void *user, const char *msgstr)
{
    struct english *english = user;
    for (int i = 0; i < english->count; i++)
        if (strstr(msgstr, english->piece[i]))
            english->piece[i][0] = '\0';
}

int harness_english(struct harness *h, const char *also, char *found, size_t cap)
{
    static struct english english;
    if (!english.count) {
        const char *po = TILSTEDE_TEST_ASSETS "/../ui/po/";
        char path[512];
        snprintf(path, sizeof path, "%sen.po", po);
        if (po_strings(path, "msgid", take_english, &english) < 0)
            return -1;
        snprintf(path, sizeof path, "%snb.po", po);
        po_strings(path, "msgstr", drop_norwegian, &english);
        snprintf(path, sizeof path, "%snn.po", po);
        po_strings(path, "msgstr", drop_norwegian, &english);
    }
    const struct layout *layout = ui_layout(h->ui);
    for (int i = 0; i < layout->count; i++) {
        char flat[LAYOUT_TEXT_MAX];
        flatten(layout->box[i].text, flat, sizeof flat);
        if (also && also[0] && strstr(flat, also)) {
            snprintf(found, cap, "'%s' in '%s'", also, flat);
            return 1;
        }
        for (int k = 0; k < english.count; k++)
            if (english.piece[k][0] && strstr(flat, english.piece[k])) {
                snprintf(found, cap, "'%s' in '%s'", english.piece[k], flat);
                return 1;
            }
    }
    return 0;
}
