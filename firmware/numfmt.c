/* Norwegian number formatting (see numfmt.h). */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void numfmt_decimal(double value, int decimals, const char *group, char *out, size_t cap)
{
    char digits[64];
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (!isfinite(value)) {
        snprintf(out, cap, "-");
        return;
    }
    /* Half away from zero, as people round: printf rounds half to even on
     * the binary value, and 2.5 hours would print as "2". */
    double scale = pow(10.0, decimals);
    double rounded = floor(fabs(value) * scale + 0.5) / scale;
    snprintf(digits, sizeof digits, "%.*f", decimals, rounded);
    /* "-0" is not a number anyone wrote. */
    int negative = value < 0 && strspn(digits, "0.") != strlen(digits);
    char *point = strchr(digits, '.');
    size_t whole = point ? (size_t)(point - digits) : strlen(digits);
    size_t used = 0, glen = group ? strlen(group) : 0;
    char buf[128];
    if (negative)
        buf[used++] = '-';
    for (size_t i = 0; i < whole && used + glen + 2 < sizeof buf; i++) {
        if (i > 0 && (whole - i) % 3 == 0 && glen) {
            memcpy(buf + used, group, glen);
            used += glen;
        }
        buf[used++] = digits[i];
    }
    if (point && used + strlen(point) < sizeof buf) {
        buf[used++] = ',';
        strcpy(buf + used, point + 1);
        used += strlen(point + 1);
    }
    buf[used] = '\0';
    snprintf(out, cap, "%s", buf);
}
