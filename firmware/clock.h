/* The clock seam: wall time, monotonic time, boot id and whether the wall
 * clock is known to be synchronised. The system clock for the kiosk, a fake
 * clock for tests (set and advanced by hand). */
#ifndef TILSTEDE_CLOCK_H
#define TILSTEDE_CLOCK_H

#include <stdint.h>

struct clock_source {
    int64_t (*wall_us)(void *ctx);  /* microseconds since the Unix epoch */
    int64_t (*mono_us)(void *ctx);  /* microseconds since boot, never jumps */
    int (*synced)(void *ctx);       /* 1 when the wall clock is known good */
    const char *(*boot_id)(void *ctx);
    void *ctx;
};

/* The system clock. Synchronised when the kernel says so (adjtimex: NTP
 * has set the time, as systemd-timesyncd does) and the time is after this
 * build's date; never before it. */
const struct clock_source *clock_system(void);

/* The system clock as the configuration says to trust it: with [clock]
 * trust = always, synchronised whenever it is after the build date. */
struct config;
const struct clock_source *clock_from_config(const struct config *cfg);

/* A fake clock for tests: starts at wall_us and is moved by clock_fake_*. */
struct clock_fake {
    struct clock_source source;
    int64_t wall;
    int64_t mono;
    int synced;
    char boot[37];
};
void clock_fake_init(struct clock_fake *fake, int64_t wall_us);
void clock_fake_advance(struct clock_fake *fake, int64_t us);

static inline int64_t clock_wall(const struct clock_source *c) { return c->wall_us(c->ctx); }
static inline int64_t clock_mono(const struct clock_source *c) { return c->mono_us(c->ctx); }
static inline int clock_synced(const struct clock_source *c) { return c->synced(c->ctx); }
static inline const char *clock_boot_id(const struct clock_source *c) { return c->boot_id(c->ctx); }

/* Seconds since the epoch of the build; a wall time before it is wrong. */
int64_t clock_build_epoch(void);

#endif
