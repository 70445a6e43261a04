/* A PN532 on a pseudo-terminal, answering libnfc's pn532_uart driver the
 * way the chip does (see shared/PN532-SIMULATION.md): ACK, then the
 * response; InAutoPoll blocks until a card comes or its time is up. One
 * thread owns the pty; the API hands it requests and waits for them. */
#include "pn532_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SIM_UID_MAX      10
#define SIM_RX_CAP       1024 /* host frames are < 270 bytes; junk beyond is dropped */
#define SIM_GARBAGE_CAP  256
#define AUTOPOLL_UNIT_MS 150  /* the PN532's Period unit */
#define WRITE_STALL_MS   1000 /* give up writing if the host stops reading */

/* Target types (PN532 manual, InAutoPoll). */
#define PTT_GENERIC_106 0x00
#define PTT_MIFARE      0x10

/* Commands (PN532 manual, 7.1). */
enum {
    CMD_DIAGNOSE = 0x00,
    CMD_GET_FIRMWARE_VERSION = 0x02,
    CMD_READ_REGISTER = 0x06,
    CMD_WRITE_REGISTER = 0x08,
    CMD_SET_PARAMETERS = 0x12,
    CMD_SAM_CONFIGURATION = 0x14,
    CMD_POWER_DOWN = 0x16,
    CMD_RF_CONFIGURATION = 0x32,
    CMD_IN_DATA_EXCHANGE = 0x40,
    CMD_IN_COMMUNICATE_THRU = 0x42,
    CMD_IN_DESELECT = 0x44,
    CMD_IN_LIST_PASSIVE_TARGET = 0x4A,
    CMD_IN_RELEASE = 0x52,
    CMD_IN_AUTO_POLL = 0x60,
};

/* Status byte for "the target did not answer" (PN532 manual, table 7.1). */
#define STATUS_TIMEOUT 0x01

enum request { REQUEST_NONE, REQUEST_UNPLUG, REQUEST_PLUG, REQUEST_GARBAGE };

struct pn532_sim {
    char dir[PATH_MAX - 64]; /* leaves room for the names made in it */
    char link[PATH_MAX];
    char connstring[PATH_MAX + 16];
    pthread_t thread;
    int wake[2]; /* the API writes a byte here to wake the thread's poll() */

    /* Shared with the API, under lock. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool stopping;
    enum request request;
    int request_result;
    unsigned request_seq, done_seq;
    uint8_t garbage[SIM_GARBAGE_CAP];
    size_t garbage_len;
    bool card;
    uint8_t uid[SIM_UID_MAX];
    size_t uid_len;
    bool selected;  /* powered and selected: answers data exchanges */
    bool searching; /* an InAutoPoll is blocked with no card */
    unsigned searches;

    /* The thread's own. */
    int master; /* -1 while unplugged */
    int keeper; /* our slave fd: keeps the master from seeing a hang-up
                   whenever libnfc closes its side */
    uint8_t rx[SIM_RX_CAP];
    size_t rx_len;
    bool autopoll;         /* an InAutoPoll awaits its answer */
    bool autopoll_forever; /* PollNr 0xFF */
    struct timespec autopoll_deadline;
    uint8_t autopoll_types[16];
    size_t autopoll_type_count;
    uint8_t registers[65536];
};

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void wake_thread(struct pn532_sim *sim)
{
    const char byte = 1;
    /* A full pipe already means "wake up"; nothing is lost. */
    if (write(sim->wake[1], &byte, 1) < 0 && errno != EAGAIN)
        perror("pn532_sim: wake");
}

static int write_all(int fd, const uint8_t *bytes, size_t count)
{
    while (count > 0) {
        ssize_t n = write(fd, bytes, count);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return -errno;
            struct pollfd out = {.fd = fd, .events = POLLOUT};
            if (poll(&out, 1, WRITE_STALL_MS) <= 0)
                return -ETIMEDOUT;
            continue;
        }
        bytes += n;
        count -= (size_t)n;
    }
    return 0;
}

/* ---- the pty: plug and unplug ---- */

static void unplug_now(struct pn532_sim *sim)
{
    if (sim->master < 0)
        return;
    /* Remove the name first, as udev does when a USB adapter goes: the
     * host's next open fails instead of finding someone else's pts. */
    unlink(sim->link);
    close(sim->keeper);
    close(sim->master);
    sim->master = sim->keeper = -1;
    sim->rx_len = 0;
    sim->autopoll = false;
    pthread_mutex_lock(&sim->lock);
    sim->selected = false;
    sim->searching = false;
    pthread_mutex_unlock(&sim->lock);
}

static int plug_now(struct pn532_sim *sim)
{
    int err = 0, master = -1, keeper = -1;
    char slave[64], tmp_link[PATH_MAX + 8];
    struct termios raw;

    if (sim->master >= 0)
        return 0;
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        ptsname_r(master, slave, sizeof slave) != 0) {
        err = -errno;
        goto out;
    }
    if (fcntl(master, F_SETFL, O_NONBLOCK) < 0) {
        err = -errno;
        goto out;
    }
    keeper = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (keeper < 0) {
        err = -errno;
        goto out;
    }
    /* Raw before libnfc opens it: no echo of the host's frames back to it,
     * no CR/LF translation of binary bytes. */
    if (tcgetattr(keeper, &raw) < 0) {
        err = -errno;
        goto out;
    }
    cfmakeraw(&raw);
    if (tcsetattr(keeper, TCSANOW, &raw) < 0) {
        err = -errno;
        goto out;
    }
    /* Re-point the stable name in one step (symlink aside, then rename). */
    snprintf(tmp_link, sizeof tmp_link, "%s.new", sim->link);
    unlink(tmp_link);
    if (symlink(slave, tmp_link) < 0 || rename(tmp_link, sim->link) < 0) {
        err = -errno;
        unlink(tmp_link);
        goto out;
    }
    sim->master = master;
    sim->keeper = keeper;
    master = keeper = -1;
out:
    if (keeper >= 0)
        close(keeper);
    if (master >= 0)
        close(master);
    return err;
}

/* ---- frames to the host ---- */

static int send_ack(struct pn532_sim *sim)
{
    static const uint8_t ack[] = {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
    return write_all(sim->master, ack, sizeof ack);
}

static int send_response(struct pn532_sim *sim, uint8_t cmd, const uint8_t *payload, size_t len)
{
    uint8_t frame[8 + 262];
    size_t at = 0;
    uint8_t sum = 0xD5 + (uint8_t)(cmd + 1);

    if (len > 250)
        return -EMSGSIZE;
    frame[at++] = 0x00;
    frame[at++] = 0x00;
    frame[at++] = 0xFF;
    frame[at++] = (uint8_t)(len + 2);
    frame[at++] = (uint8_t)(0x100 - (len + 2));
    frame[at++] = 0xD5;
    frame[at++] = (uint8_t)(cmd + 1);
    for (size_t i = 0; i < len; i++) {
        frame[at++] = payload[i];
        sum += payload[i];
    }
    frame[at++] = (uint8_t)(0x100 - sum);
    frame[at++] = 0x00;
    return write_all(sim->master, frame, at);
}

/* The chip's answer to a command it does not know: a syntax error frame. */
static int send_error_frame(struct pn532_sim *sim)
{
    static const uint8_t error[] = {0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00};
    return write_all(sim->master, error, sizeof error);
}

/* ---- the card, as the chip reports it ---- */

/* Tg SENS_RES(2) SEL_RES NFCIDLength NFCID; under lock. Returns its length. */
static size_t describe_target(const struct pn532_sim *sim, uint8_t *out)
{
    size_t at = 0;
    out[at++] = 0x01;
    out[at++] = 0x00;
    if (sim->uid_len == 4) {
        out[at++] = 0x04; /* MIFARE Classic 1K */
        out[at++] = 0x08;
    } else if (sim->uid_len == 7) {
        out[at++] = 0x44; /* MIFARE Ultralight */
        out[at++] = 0x00;
    } else {
        out[at++] = 0x84; /* triple-size UID: libnfc has no presence check */
        out[at++] = 0x00;
    }
    out[at++] = (uint8_t)sim->uid_len;
    memcpy(out + at, sim->uid, sim->uid_len);
    return at + sim->uid_len;
}

/* The UID as InListPassiveTarget's InitiatorData carries it (cascade tags
 * 0x88 before each 3-byte part). Under lock. */
static size_t cascaded_uid(const struct pn532_sim *sim, uint8_t *out)
{
    const uint8_t *uid = sim->uid;
    size_t at = 0;
    if (sim->uid_len == 4) {
        memcpy(out, uid, 4);
        return 4;
    }
    out[at++] = 0x88;
    memcpy(out + at, uid, 3);
    at += 3;
    if (sim->uid_len == 10) {
        out[at++] = 0x88;
        memcpy(out + at, uid + 3, 3);
        at += 3;
        uid += 3;
    }
    memcpy(out + at, uid + 3, 4);
    return at + 4;
}

/* Answers a pending InAutoPoll if a card is there or its time is up. */
static int settle_autopoll(struct pn532_sim *sim)
{
    uint8_t payload[3 + 16];
    size_t len = 0;
    int type = -1;

    if (!sim->autopoll)
        return 0;
    for (size_t i = 0; i < sim->autopoll_type_count; i++) {
        if (sim->autopoll_types[i] == PTT_MIFARE)
            type = PTT_MIFARE;
        else if (sim->autopoll_types[i] == PTT_GENERIC_106 && type < 0)
            type = PTT_GENERIC_106;
    }
    pthread_mutex_lock(&sim->lock);
    if (sim->card && type >= 0) {
        payload[len++] = 0x01;
        payload[len++] = (uint8_t)type;
        len++;
        payload[2] = (uint8_t)describe_target(sim, payload + 3);
        len += payload[2];
        sim->selected = true;
    } else if (sim->autopoll_forever || now_ms() < sim->autopoll_deadline.tv_sec * 1000LL +
                                                       sim->autopoll_deadline.tv_nsec / 1000000) {
        if (!sim->searching) {
            sim->searching = true;
            sim->searches++;
            pthread_cond_broadcast(&sim->changed);
        }
        pthread_mutex_unlock(&sim->lock);
        return 0;
    } else {
        payload[len++] = 0x00;
    }
    sim->searching = false;
    pthread_mutex_unlock(&sim->lock);
    sim->autopoll = false;
    return send_response(sim, CMD_IN_AUTO_POLL, payload, len);
}

static void start_autopoll(struct pn532_sim *sim, const uint8_t *params, size_t count)
{
    if (count < 3)
        return;
    uint8_t poll_count = params[0], period = params[1] ? params[1] : 1;
    size_t types = count - 2;
    if (types > sizeof sim->autopoll_types)
        types = sizeof sim->autopoll_types;
    memcpy(sim->autopoll_types, params + 2, types);
    sim->autopoll_type_count = types;
    sim->autopoll_forever = poll_count == 0xFF;
    long long deadline =
        now_ms() + (long long)poll_count * period * AUTOPOLL_UNIT_MS * (long long)types;
    sim->autopoll_deadline.tv_sec = deadline / 1000;
    sim->autopoll_deadline.tv_nsec = (deadline % 1000) * 1000000;
    sim->autopoll = true;
}

/* ---- commands from the host ---- */

static int handle_command(struct pn532_sim *sim, uint8_t cmd, const uint8_t *params, size_t count)
{
    uint8_t out[64];
    size_t len = 0;
    int err;

    /* A new command ends any InAutoPoll still waiting (the host gave up). */
    if (sim->autopoll) {
        sim->autopoll = false;
        pthread_mutex_lock(&sim->lock);
        sim->searching = false;
        pthread_mutex_unlock(&sim->lock);
    }
    if ((err = send_ack(sim)) < 0)
        return err;

    switch (cmd) {
    case CMD_DIAGNOSE:
        if (count > 0 && params[0] == 0x00) { /* communication test: echo */
            len = count < sizeof out ? count : sizeof out;
            memcpy(out, params, len);
        } else {
            out[len++] = 0x00;
        }
        break;
    case CMD_GET_FIRMWARE_VERSION:
        out[len++] = 0x32; /* PN532 */
        out[len++] = 0x01; /* version 1.6 */
        out[len++] = 0x06;
        out[len++] = 0x07; /* ISO14443A, B and ISO18092 */
        break;
    case CMD_READ_REGISTER:
        for (size_t i = 0; i + 1 < count && len < sizeof out; i += 2)
            out[len++] = sim->registers[params[i] << 8 | params[i + 1]];
        break;
    case CMD_WRITE_REGISTER:
        for (size_t i = 0; i + 2 < count; i += 3)
            sim->registers[params[i] << 8 | params[i + 1]] = params[i + 2];
        break;
    case CMD_SET_PARAMETERS:
    case CMD_SAM_CONFIGURATION:
    case CMD_RF_CONFIGURATION:
        break;
    case CMD_POWER_DOWN:
    case CMD_IN_RELEASE:
    case CMD_IN_DESELECT:
        pthread_mutex_lock(&sim->lock);
        sim->selected = false;
        pthread_mutex_unlock(&sim->lock);
        out[len++] = 0x00;
        break;
    case CMD_IN_AUTO_POLL:
        start_autopoll(sim, params, count);
        return settle_autopoll(sim);
    case CMD_IN_LIST_PASSIVE_TARGET: {
        /* MaxTg BrTy [InitiatorData]: only 106 kbps type A has cards here;
         * InitiatorData asks for one card by UID (libnfc's presence check
         * for MIFARE Classic). */
        pthread_mutex_lock(&sim->lock);
        bool found = sim->card && count >= 2 && params[1] == 0x00;
        if (found && count > 2) {
            uint8_t wanted[SIM_UID_MAX + 2];
            size_t wanted_len = cascaded_uid(sim, wanted);
            found = count - 2 == wanted_len && memcmp(params + 2, wanted, wanted_len) == 0;
        }
        if (found) {
            out[len++] = 0x01;
            len += describe_target(sim, out + len);
            sim->selected = true;
        } else {
            out[len++] = 0x00;
        }
        pthread_mutex_unlock(&sim->lock);
        break;
    }
    case CMD_IN_DATA_EXCHANGE:
    case CMD_IN_COMMUNICATE_THRU:
        /* A card that is there and selected answers a READ with 16 bytes;
         * one that left the field (or lost power on the way) times out. */
        pthread_mutex_lock(&sim->lock);
        if (sim->card && sim->selected) {
            out[len++] = 0x00;
            memset(out + len, 0xA5, 16);
            len += 16;
        } else {
            out[len++] = STATUS_TIMEOUT;
        }
        pthread_mutex_unlock(&sim->lock);
        break;
    default:
        return send_error_frame(sim);
    }
    return send_response(sim, cmd, out, len);
}

/* Takes whole frames off the front of rx. Anything that is not a frame
 * (the wake-up preamble 55 55 00..., line noise) is skipped up to the next
 * 00 00 FF start code. */
static int parse_frames(struct pn532_sim *sim)
{
    size_t at = 0;
    int err = 0;

    while (err == 0) {
        while (at + 3 <= sim->rx_len &&
               !(sim->rx[at] == 0x00 && sim->rx[at + 1] == 0x00 && sim->rx[at + 2] == 0xFF))
            at++;
        if (at + 5 > sim->rx_len)
            break;
        const uint8_t *frame = sim->rx + at;
        uint8_t len = frame[3], lcs = frame[4];
        if (len == 0x00 && lcs == 0xFF) { /* ACK from the host: abort */
            if (at + 6 > sim->rx_len)
                break;
            if (sim->autopoll) {
                sim->autopoll = false;
                pthread_mutex_lock(&sim->lock);
                sim->searching = false;
                pthread_mutex_unlock(&sim->lock);
            }
            at += 6;
            continue;
        }
        if ((uint8_t)(len + lcs) != 0 || len < 2) { /* not a normal frame */
            at += 3;
            continue;
        }
        if (at + 5 + len + 2 > sim->rx_len)
            break;
        uint8_t sum = 0;
        for (size_t i = 0; i < len; i++)
            sum += frame[5 + i];
        if (frame[5] != 0xD4 || (uint8_t)(sum + frame[5 + len]) != 0) {
            at += 3;
            continue;
        }
        err = handle_command(sim, frame[6], frame + 7, (size_t)len - 2);
        at += 5 + (size_t)len + 2;
    }
    memmove(sim->rx, sim->rx + at, sim->rx_len - at);
    sim->rx_len -= at;
    return err;
}

static void run_request(struct pn532_sim *sim)
{
    pthread_mutex_lock(&sim->lock);
    enum request request = sim->request;
    pthread_mutex_unlock(&sim->lock);
    if (request == REQUEST_NONE)
        return;

    int result = 0;
    if (request == REQUEST_UNPLUG)
        unplug_now(sim);
    else if (request == REQUEST_PLUG)
        result = plug_now(sim);
    else if (request == REQUEST_GARBAGE)
        result = sim->master < 0 ? -ENODEV : write_all(sim->master, sim->garbage, sim->garbage_len);

    pthread_mutex_lock(&sim->lock);
    sim->request = REQUEST_NONE;
    sim->request_result = result;
    sim->done_seq = sim->request_seq;
    pthread_cond_broadcast(&sim->changed);
    pthread_mutex_unlock(&sim->lock);
}

static void *sim_thread(void *arg)
{
    struct pn532_sim *sim = arg;

    for (;;) {
        pthread_mutex_lock(&sim->lock);
        bool stopping = sim->stopping;
        pthread_mutex_unlock(&sim->lock);
        if (stopping)
            break;
        run_request(sim);
        if (sim->master >= 0 && settle_autopoll(sim) < 0)
            unplug_now(sim); /* the host end is broken: as good as unplugged */

        int timeout = -1;
        if (sim->autopoll && !sim->autopoll_forever) {
            long long left = sim->autopoll_deadline.tv_sec * 1000LL +
                             sim->autopoll_deadline.tv_nsec / 1000000 - now_ms();
            timeout = left < 0 ? 0 : (int)left;
        }
        struct pollfd fds[2] = {{.fd = sim->wake[0], .events = POLLIN},
                                {.fd = sim->master, .events = POLLIN}};
        int ready = poll(fds, sim->master >= 0 ? 2 : 1, timeout);
        if (ready < 0 && errno != EINTR) {
            perror("pn532_sim: poll");
            break;
        }
        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (read(sim->wake[0], drain, sizeof drain) > 0) {
            }
        }
        if (sim->master >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (sim->rx_len == sizeof sim->rx)
                sim->rx_len = 0; /* a full buffer without a frame is noise */
            ssize_t n = read(sim->master, sim->rx + sim->rx_len, sizeof sim->rx - sim->rx_len);
            if (n > 0) {
                sim->rx_len += (size_t)n;
                if (parse_frames(sim) < 0)
                    unplug_now(sim);
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                /* Cannot happen while keeper holds the slave open; avoid
                 * spinning on it if it ever does. */
                struct timespec pause = {0, 10 * 1000000};
                nanosleep(&pause, NULL);
            }
        }
    }
    return NULL;
}

/* Hands the thread a request and waits until it has been carried out. */
static int submit(struct pn532_sim *sim, enum request request, const uint8_t *bytes, size_t count)
{
    pthread_mutex_lock(&sim->lock);
    while (sim->request != REQUEST_NONE)
        pthread_cond_wait(&sim->changed, &sim->lock);
    sim->request = request;
    if (bytes) {
        memcpy(sim->garbage, bytes, count);
        sim->garbage_len = count;
    }
    unsigned seq = ++sim->request_seq;
    wake_thread(sim);
    while (sim->done_seq != seq)
        pthread_cond_wait(&sim->changed, &sim->lock);
    int result = sim->request_result;
    pthread_mutex_unlock(&sim->lock);
    return result;
}

struct pn532_sim *pn532_sim_start(const char *dir)
{
    struct pn532_sim *sim = calloc(1, sizeof *sim);
    pthread_condattr_t attr;
    int err;

    if (!sim) {
        perror("pn532_sim: calloc");
        return NULL;
    }
    sim->master = sim->keeper = -1;
    sim->wake[0] = sim->wake[1] = -1;
    if (!dir)
        dir = getenv("TILSTEDE_TEST_TMP");
    if (!dir || !*dir)
        dir = "/tmp";
    if (strlen(dir) + sizeof "/pn532-XXXXXX" > sizeof sim->dir) {
        fprintf(stderr, "pn532_sim: %s: path too long\n", dir);
        free(sim);
        return NULL;
    }
    if (strchr(dir, ':')) {
        fprintf(stderr, "pn532_sim: %s: a ':' would split libnfc's connection string\n", dir);
        free(sim);
        return NULL;
    }
    snprintf(sim->dir, sizeof sim->dir, "%s/pn532-XXXXXX", dir);
    if (!mkdtemp(sim->dir)) {
        fprintf(stderr, "pn532_sim: mkdtemp %s: %s\n", sim->dir, strerror(errno));
        free(sim);
        return NULL;
    }
    snprintf(sim->link, sizeof sim->link, "%s/reader", sim->dir);
    snprintf(sim->connstring, sizeof sim->connstring, "pn532_uart:%s", sim->link);

    pthread_mutex_init(&sim->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sim->changed, &attr);
    pthread_condattr_destroy(&attr);

    if (pipe2(sim->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
        perror("pn532_sim: pipe");
        goto fail;
    }
    if ((err = plug_now(sim)) < 0) {
        fprintf(stderr, "pn532_sim: cannot make a pty: %s\n", strerror(-err));
        goto fail;
    }
    if ((err = pthread_create(&sim->thread, NULL, sim_thread, sim)) != 0) {
        fprintf(stderr, "pn532_sim: pthread_create: %s\n", strerror(err));
        goto fail;
    }
    return sim;
fail:
    unplug_now(sim);
    if (sim->wake[0] >= 0) {
        close(sim->wake[0]);
        close(sim->wake[1]);
    }
    rmdir(sim->dir);
    pthread_cond_destroy(&sim->changed);
    pthread_mutex_destroy(&sim->lock);
    free(sim);
    return NULL;
}

void pn532_sim_stop(struct pn532_sim *sim)
{
    if (!sim)
        return;
    pthread_mutex_lock(&sim->lock);
    sim->stopping = true;
    pthread_mutex_unlock(&sim->lock);
    wake_thread(sim);
    pthread_join(sim->thread, NULL);
    unplug_now(sim);
    close(sim->wake[0]);
    close(sim->wake[1]);
    char tmp_link[PATH_MAX + 8];
    snprintf(tmp_link, sizeof tmp_link, "%s.new", sim->link);
    unlink(tmp_link);
    unlink(sim->link);
    rmdir(sim->dir);
    pthread_cond_destroy(&sim->changed);
    pthread_mutex_destroy(&sim->lock);
    free(sim);
}

const char *pn532_sim_connstring(const struct pn532_sim *sim)
{
    return sim->connstring;
}

int pn532_sim_card_present(struct pn532_sim *sim, const uint8_t *uid, size_t uid_len)
{
    if (uid_len != 4 && uid_len != 7 && uid_len != 10)
        return -EINVAL;
    pthread_mutex_lock(&sim->lock);
    memcpy(sim->uid, uid, uid_len);
    sim->uid_len = uid_len;
    sim->card = true;
    sim->selected = false;
    pthread_mutex_unlock(&sim->lock);
    wake_thread(sim);
    return 0;
}

void pn532_sim_card_removed(struct pn532_sim *sim)
{
    pthread_mutex_lock(&sim->lock);
    sim->card = false;
    sim->selected = false;
    pthread_mutex_unlock(&sim->lock);
    wake_thread(sim);
}

int pn532_sim_unplug(struct pn532_sim *sim)
{
    return submit(sim, REQUEST_UNPLUG, NULL, 0);
}

int pn532_sim_plug(struct pn532_sim *sim)
{
    return submit(sim, REQUEST_PLUG, NULL, 0);
}

int pn532_sim_send_garbage(struct pn532_sim *sim, const uint8_t *bytes, size_t count)
{
    if (count > SIM_GARBAGE_CAP)
        return -EMSGSIZE;
    return submit(sim, REQUEST_GARBAGE, bytes, count);
}

int pn532_sim_wait_for_poll(struct pn532_sim *sim, int timeout_ms)
{
    struct timespec deadline;
    int err = 0;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&sim->lock);
    unsigned searches = sim->searches;
    while (!(sim->searching && !sim->card) && sim->searches == searches && err == 0)
        err = pthread_cond_timedwait(&sim->changed, &sim->lock, &deadline);
    pthread_mutex_unlock(&sim->lock);
    return err == 0 ? 0 : -ETIMEDOUT;
}
