/* Messages that quote outside text (paths, connection strings, errors from
 * libraries) cut it between characters: UTF8_CLIP as a "%.*s" pair, at
 * every limit, with two-, three- and four-byte characters. */
#include "utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after the headers it needs */
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static int valid(const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char_len(text + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

static void test_a_clipped_path_ends_between_characters_at_every_limit(void **state)
{
    (void)state;
    static const char *const chars[] = {"æ", "€", "𝄞"};
    for (size_t c = 0; c < 3; c++) {
        for (size_t shift = 0; shift < 4; shift++) {
            char path[400] = "/var/lib/";
            memset(path + strlen(path), 'x', shift);
            while (strlen(path) + 4 < sizeof path - 1)
                strcat(path, chars[c]);
            for (size_t max = 1; max < strlen(path) + 2; max++) {
                char message[600];
                snprintf(message, sizeof message, "cannot open %.*s: no such file",
                         UTF8_CLIP(path, max));
                assert_true(valid(message));
                size_t kept = strlen(message) - strlen("cannot open : no such file");
                assert_true(kept <= max);
                /* Nothing more is cut than the one character that did not fit. */
                assert_true(kept + 4 > max || kept == strlen(path));
                assert_memory_equal(message + strlen("cannot open "), path, kept);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_clipped_path_ends_between_characters_at_every_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
