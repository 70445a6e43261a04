/* Small helpers shared by the tests: temporary directories, local times in
 * Norway's time zone, a damaged database file, and the real programs run
 * with their output in files. */
#ifndef TILSTEDE_TESTUTIL_H
#define TILSTEDE_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define US_PER_S   INT64_C(1000000)
#define US_PER_MIN (60 * US_PER_S)
#define US_PER_H   (3600 * US_PER_S)

/* Every test runs in Norway's time zone, whatever the machine's. */
static inline void test_use_oslo_time(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
}

/* A new empty directory for one test; the caller may leave it behind. */
static inline void test_tmpdir(char *out, size_t cap, const char *name)
{
    const char *base = getenv("TILSTEDE_TEST_TMP");
    snprintf(out, cap, "%s/%s-XXXXXX", base && *base ? base : "/tmp", name);
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

/* Starts the program argv[0] with stdin from in_path (NULL: this one's),
 * stdout to out_path and stderr to err_path. The same path for both gives
 * one file with the lines in the order written, as the journal gets them.
 * Returns the pid, or -1 with errno set. */
static inline pid_t test_spawn(const char *const *argv, const char *in_path, const char *out_path,
                               const char *err_path)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in_path)
        posix_spawn_file_actions_addopen(&actions, 0, in_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (strcmp(err_path, out_path) == 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    else
        posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc) {
        errno = rc;
        return -1;
    }
    return pid;
}

/* A file's text into out (at most cap - 1 bytes, NUL-terminated; "" when
 * it cannot be read); its length. */
static inline size_t test_slurp(const char *path, char *out, size_t cap)
{
    FILE *file = fopen(path, "rb");
    size_t len = file ? fread(out, 1, cap - 1, file) : 0;
    if (file)
        fclose(file);
    out[len] = '\0';
    return len;
}

/* Runs command through the shell with its stdout (add 2>&1 for stderr)
 * into out (at most cap - 1 bytes, NUL-terminated); its exit status, or -1
 * when it could not run or was killed. */
static inline int test_shell(const char *command, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *pipe = popen(command, "r");
    if (!pipe)
        return -1;
    size_t len = fread(out, 1, cap - 1, pipe);
    out[len] = '\0';
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Local (Oslo) time as microseconds since the epoch. */
static inline int64_t test_local_us(int year, int month, int day, int hour, int minute)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * US_PER_S;
}

/* Overwrites the file from offset to its end with a pattern: with offset at
 * page 3 the header and the schema still read (store_open() accepts the
 * file), only a check finds that the tables are gone. */
static inline void test_scribble(const char *path, long offset)
{
    int fd = open(path, O_WRONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= offset) {
        fprintf(stderr, "test_scribble: %s: cannot open, or not larger than %ld bytes\n", path,
                offset);
        abort();
    }
    unsigned char junk[512];
    memset(junk, 0x5a, sizeof junk);
    for (off_t at = offset; at < st.st_size; at += (off_t)sizeof junk)
        if (pwrite(fd, junk, sizeof junk, at) <= 0) {
            perror("test_scribble: pwrite");
            abort();
        }
    close(fd);
}

#endif
