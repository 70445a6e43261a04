/* Key rows and text editing for the on-screen keyboard. */
#include "osk.h"

#include <string.h>

#define OSK_GAP        6  /* base px between keys */
#define OSK_KEY_HEIGHT 62 /* base px; at least LAYOUT_MIN_TARGET_PX */

/* A row is a list of keys; a key is a code point and a width in units. */
struct osk_key {
    uint32_t code;
    int units;
};

/* Landscape: three rows of eleven units. */
static const struct osk_key qwerty[3][12] = {
    {{'q', 1},
     {'w', 1},
     {'e', 1},
     {'r', 1},
     {'t', 1},
     {'y', 1},
     {'u', 1},
     {'i', 1},
     {'o', 1},
     {'p', 1},
     {0xE5, 1}},
    {{'a', 1},
     {'s', 1},
     {'d', 1},
     {'f', 1},
     {'g', 1},
     {'h', 1},
     {'j', 1},
     {'k', 1},
     {'l', 1},
     {0xF8, 1},
     {0xE6, 1}},
    {{'z', 1},
     {'x', 1},
     {'c', 1},
     {'v', 1},
     {'b', 1},
     {'n', 1},
     {'m', 1},
     {OSK_SPACE, 3},
     {OSK_BACKSPACE, 1}},
};

/* Portrait: five rows of seven units, in the order of the alphabet. */
static const struct osk_key alphabet[5][8] = {
    {{'a', 1}, {'b', 1}, {'c', 1}, {'d', 1}, {'e', 1}, {'f', 1}, {'g', 1}},
    {{'h', 1}, {'i', 1}, {'j', 1}, {'k', 1}, {'l', 1}, {'m', 1}, {'n', 1}},
    {{'o', 1}, {'p', 1}, {'q', 1}, {'r', 1}, {'s', 1}, {'t', 1}, {'u', 1}},
    {{'v', 1}, {'w', 1}, {'x', 1}, {'y', 1}, {'z', 1}, {0xE6, 1}, {0xF8, 1}},
    {{0xE5, 1}, {OSK_SPACE, 4}, {OSK_BACKSPACE, 2}},
};

static int encode(uint32_t code, char out[5])
{
    if (code < 0x80) {
        out[0] = (char)code;
        out[1] = '\0';
        return 1;
    }
    /* Only Latin-1 letters live on this keyboard. */
    out[0] = (char)(0xC0 | (code >> 6));
    out[1] = (char)(0x80 | (code & 0x3F));
    out[2] = '\0';
    return 2;
}

int osk_height(const struct layout *layout, int width, int portrait)
{
    (void)width;
    int rows = portrait ? 5 : 3;
    return rows * layout_px(layout, OSK_KEY_HEIGHT) + (rows - 1) * layout_px(layout, OSK_GAP);
}

static void build_rows(struct layout *layout, struct layout_rect area, const struct osk_key *keys,
                       int rows, int columns, int units, int action, const char *space_label)
{
    int gap = layout_px(layout, OSK_GAP);
    int key_h = (area.h - (rows - 1) * gap) / rows;
    int unit_w = (area.w - (units - 1) * gap) / units;
    /* Centre the keyboard when the area does not divide evenly. */
    int left = area.x + (area.w - (units * unit_w + (units - 1) * gap)) / 2;
    for (int row = 0; row < rows; row++) {
        int x = left, y = area.y + row * (key_h + gap);
        for (int i = 0; i < columns; i++) {
            const struct osk_key *key = &keys[row * columns + i];
            if (!key->units)
                break;
            int w = key->units * unit_w + (key->units - 1) * gap;
            char label[8];
            if (key->code == OSK_BACKSPACE)
                strcpy(label, "\xE2\x8C\xAB"); /* ⌫ */
            else if (key->code != OSK_SPACE)
                encode(key->code, label);
            layout_button(layout, layout_rect(x, y, w, key_h),
                          key->code == OSK_SPACE ? space_label : label, LAYOUT_BOLD,
                          layout_px(layout, 34), 0x1B1B1B, 0xFFFFFF, 0x5A5A5A, action, key->code,
                          0);
            x += w + gap;
        }
    }
}

void osk_build(struct layout *layout, struct layout_rect area, int portrait, int action,
               const char *space_label)
{
    if (portrait)
        build_rows(layout, area, &alphabet[0][0], 5, 8, 7, action, space_label);
    else
        build_rows(layout, area, &qwerty[0][0], 3, 12, 11, action, space_label);
}

int osk_apply(char *text, size_t cap, int64_t key)
{
    size_t len = strlen(text);
    if (key == OSK_BACKSPACE) {
        if (len == 0)
            return 0;
        do
            len--;
        while (len > 0 && ((unsigned char)text[len] & 0xC0u) == 0x80u);
        text[len] = '\0';
        return 1;
    }
    if (key == OSK_SPACE && (len == 0 || text[len - 1] == ' '))
        return 0;
    if (key < 0x20 || key > 0xFF)
        return 0;
    char bytes[5];
    int n = encode((uint32_t)key, bytes);
    if (len + (size_t)n + 1 > cap)
        return 0;
    memcpy(text + len, bytes, (size_t)n + 1);
    return 1;
}
