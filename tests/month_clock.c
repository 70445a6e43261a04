/* A clock shim for the month simulation (tests/month.py), preloaded into the
 * real tilstedectl: the wall clock, the boot clock, whether the kernel says
 * the time is synchronised and the boot id are what the environment says,
 * frozen for the life of the process (one command at one moment):
 *   TILSTEDE_SIM_WALL_US  microseconds since the epoch (a 1970 board: small)
 *   TILSTEDE_SIM_MONO_US  microseconds since boot (CLOCK_BOOTTIME)
 *   TILSTEDE_SIM_SYNCED   1 or 0 (adjtimex's STA_UNSYNC)
 *   TILSTEDE_SIM_BOOT     file holding the boot id
 * CLOCK_MONOTONIC is left alone: libcurl's timeouts run on real time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

static int64_t env_us(const char *name, int *found)
{
    const char *v = getenv(name);
    *found = v && *v;
    return *found ? strtoll(v, NULL, 10) : 0;
}

static void to_timespec(int64_t us, struct timespec *ts)
{
    ts->tv_sec = (time_t)(us / 1000000);
    ts->tv_nsec = (long)(us % 1000000) * 1000;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);
    if (!real)
        real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int found;
    if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) {
        int64_t us = env_us("TILSTEDE_SIM_WALL_US", &found);
        if (found) {
            to_timespec(us, ts);
            return 0;
        }
    } else if (id == CLOCK_BOOTTIME) {
        int64_t us = env_us("TILSTEDE_SIM_MONO_US", &found);
        if (found) {
            to_timespec(us, ts);
            return 0;
        }
    }
    return real(id, ts);
}

int gettimeofday(struct timeval *tv, void *tz)
{
    struct timespec ts;
    (void)tz;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

time_t time(time_t *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}

int adjtimex(struct timex *tx)
{
    const char *v = getenv("TILSTEDE_SIM_SYNCED");
    memset(tx, 0, sizeof *tx);
    if (v && *v == '1')
        return TIME_OK;
    tx->status = STA_UNSYNC;
    return TIME_ERROR;
}

FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*real)(const char *, const char *);
    if (!real)
        real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    const char *boot = getenv("TILSTEDE_SIM_BOOT");
    if (boot && *boot && !strcmp(path, "/proc/sys/kernel/random/boot_id"))
        path = boot;
    return real(path, mode);
}
