/* The fire roll call: who is here, one line a person (two or three for a
 * long name), as many on a page as stay readable, sorted by given name as
 * shown, in list text (LAYOUT_DENSE: smaller than body text, for staff at
 * arm's length, not for the volunteers' screens). Staff tick each person off as they are counted;
 * the ticks live while the list is open, and leaving with ticks asks first. */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namesearch.h"

#define ROLL_ROW_PX    44 /* base px: one line of 28 px text; a full-width row target */
#define ROLL_GAP_PX    4
#define ROLL_COLUMN_PX 340 /* base px: a column at least this wide, or one column */
#define ROLL_TICKED_BG 0xE3F1E7u

/* --- sorting: given name, then family name, in Norwegian order --- */

static int compare_folded(const char *a, const char *b)
{
    char fa[KIOSK_NAME_MAX * 2], fb[KIOSK_NAME_MAX * 2];
    namesearch_fold(a, fa, sizeof fa);
    namesearch_fold(b, fb, sizeof fb);
    return namesearch_collate(fa, fb);
}

static int compare_presence(const void *a, const void *b)
{
    const struct presence *pa = a, *pb = b;
    int order = compare_folded(pa->given_name, pb->given_name);
    if (!order)
        order = compare_folded(pa->family_name, pb->family_name);
    return order ? order
                 : (pa->volunteer_id > pb->volunteer_id) - (pa->volunteer_id < pb->volunteer_id);
}

static int roll_ticked(const struct ui *ui)
{
    int ticked = 0;
    for (int i = 0; i < ui->row_count; i++)
        ticked += ui->rows[i].ticked != 0;
    return ticked;
}

/* Counting takes a while: with ticks the list waits longer when left. */
static void roll_idle(struct ui *ui)
{
    ui->idle_ms = roll_ticked(ui) ? UI_ROLL_IDLE_MS : ui->options.staff_idle_ms;
}

/* --- who is here, read once by the worker --- */

struct roll_job {
    struct ui_job job;
    unsigned ticket;
    int count;
    struct presence present[UI_LIST_MAX];
};

static void take_present(void *user, const struct presence *p)
{
    struct roll_job *j = user;
    if (j->count < UI_LIST_MAX)
        j->present[j->count++] = *p;
}

static void roll_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct roll_job *j = (struct roll_job *)job;
    kiosk_present(kiosk, take_present, j);
    if (j->count > 1)
        qsort(j->present, (size_t)j->count, sizeof *j->present, compare_presence);
}

/* "Kari Nordmann", "since 09.15 · Sangstund": made on this thread, in the
 * screen's language. */
static void row_present(struct ui *ui, struct ui_row *row, const struct presence *p)
{
    char since[16], when[64];
    memset(row, 0, sizeof *row);
    row->id = p->volunteer_id;
    row->start_us = p->since_us;
    snprintf(row->title, sizeof row->title, "%s %s", p->given_name, p->family_name);
    ui_time_text(ui, p->since_us, since, sizeof since);
    i18n_fill(when, sizeof when, T(ui->tr, "since {time}"), "time", since, I18N_END);
    if (p->activity_title[0])
        snprintf(row->detail, sizeof row->detail, "%s \xC2\xB7 %s", when, p->activity_title);
    else
        snprintf(row->detail, sizeof row->detail, "%s", when);
}

static void roll_done(struct ui *ui, struct ui_job *job)
{
    const struct roll_job *j = (const struct roll_job *)job;
    /* Staff closed meanwhile, or asked for another screen since. */
    if (j->ticket != ui->staff_ticket || !ui->staff_open)
        return;
    if (!ui->rows)
        ui->rows = calloc(UI_LIST_MAX, sizeof *ui->rows);
    ui->row_count = 0;
    ui->page = 0;
    ui->roll_leave_asked = 0;
    for (int i = 0; i < j->count && ui->rows; i++)
        row_present(ui, &ui->rows[ui->row_count++], &j->present[i]);
    roll_idle(ui);
    ui_show(ui, UI_STAFF_PRESENT);
}

/* --- where each row goes --- */

struct roll_geometry {
    int x, top, bottom; /* the rows' area */
    int columns, column_w, gap;
    int name_px, time_w, tick_w, pad;
};

static int text_w(const struct layout *layout, enum layout_face face, int px, const char *text)
{
    return layout->metrics->text_width(layout->metrics->ctx, face, px, text);
}

static int row_height(struct layout *layout, const struct roll_geometry *g, const char *name)
{
    int name_w = g->column_w - g->tick_w - g->time_w - 4 * g->pad;
    int need = layout_measure_dense(layout, name, LAYOUT_REGULAR, g->name_px, name_w) +
               layout_px(layout, 8);
    int row = layout_px(layout, ROLL_ROW_PX);
    return need > row ? need : row;
}

static void roll_columns(struct layout *layout, struct roll_geometry *g, int width, int bottom)
{
    g->bottom = bottom;
    g->columns = width / layout_px(layout, ROLL_COLUMN_PX);
    if (g->columns < 1)
        g->columns = 1;
    g->column_w = (width - (g->columns - 1) * g->gap) / g->columns;
}

/* Packs the rows down the columns and over the pages; calls place for each
 * row on `page` (NULL: only counts). Returns the number of pages. */
static int roll_pack(struct ui *ui, struct layout *layout, const struct roll_geometry *g, int page,
                     void (*place)(struct ui *, struct layout *, const struct roll_geometry *, int,
                                   struct layout_rect))
{
    int current = 0, column = 0, y = g->top;
    for (int i = 0; i < ui->row_count; i++) {
        int h = row_height(layout, g, ui->rows[i].title);
        if (y + h > g->bottom && y > g->top) {
            y = g->top;
            if (++column >= g->columns) {
                column = 0;
                current++;
            }
        }
        if (place && current == page)
            place(ui, layout, g, i,
                  layout_rect(g->x + column * (g->column_w + g->gap), y, g->column_w, h));
        y += h + layout_px(layout, ROLL_GAP_PX);
    }
    return current + 1;
}

static void roll_row(struct ui *ui, struct layout *layout, const struct roll_geometry *g, int index,
                     struct layout_rect r)
{
    const struct ui_row *row = &ui->rows[index];
    uint32_t bg = row->ticked ? ROLL_TICKED_BG : COLOUR_WHITE;
    struct layout_box *target = layout_panel(layout, r, bg, row->ticked ? COLOUR_IN : COLOUR_LINE);
    target->action = ACT_ROLL_TICK;
    target->arg = index;
    int box = g->tick_w, x = r.x + g->pad;
    int box_y = r.y + (layout_px(layout, ROLL_ROW_PX) - box) / 2;
    layout_panel(layout, layout_rect(x, box_y, box, box), COLOUR_WHITE,
                 row->ticked ? COLOUR_IN : COLOUR_TEXT);
    if (row->ticked)
        layout_icon(layout, layout_rect(x + 2, box_y + 2, box - 4, box - 4), ICON_CHECK, COLOUR_IN,
                    LAYOUT_NONE);
    x += box + g->pad;
    int name_w = r.w - (x - r.x) - g->time_w - 2 * g->pad;
    layout_text(layout, layout_rect(x, r.y, name_w, r.h), row->title, LAYOUT_REGULAR, g->name_px,
                COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_MIDDLE | LAYOUT_DENSE);
    char since[16];
    ui_time_text(ui, row->start_us, since, sizeof since);
    layout_text(layout, layout_rect(r.x + r.w - g->pad - g->time_w, r.y, g->time_w, r.h), since,
                LAYOUT_REGULAR, g->name_px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_RIGHT,
                LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE | LAYOUT_DENSE);
}

/* A page button: an arrow on a white target. */
static void pager_button(struct layout *layout, struct layout_rect r, int step, int enabled,
                         enum layout_icon icon)
{
    struct layout_box *target =
        layout_panel(layout, r, enabled ? COLOUR_WHITE : COLOUR_PAGE, COLOUR_LINE);
    target->action = ACT_PAGE;
    target->arg = step;
    target->flags = enabled ? 0u : LAYOUT_DISABLED;
    int size = layout_px(layout, 36);
    layout_icon(layout, layout_rect(r.x + (r.w - size) / 2, r.y + (r.h - size) / 2, size, size),
                icon, enabled ? COLOUR_TEXT : COLOUR_LINE, LAYOUT_NONE);
}

static void leave_question(struct ui *ui, struct layout *layout, int ticked)
{
    char number[16], text[256];
    snprintf(number, sizeof number, "%d", ticked);
    i18n_fill(text, sizeof text,
              TN(ui->tr, "{n} person is ticked off. Leave the roll call and forget the ticks?",
                 "{n} people are ticked off. Leave the roll call and forget the ticks?", ticked),
              "n", number, I18N_END);
    screen_question(layout, text, T(ui->tr, "Leave"), T(ui->tr, "Stay"));
}

static void roll_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui);
    int ticked = roll_ticked(ui);
    char title[96], number[16], total[16];
    if (!ui->row_count) {
        snprintf(number, sizeof number, "%d", 0);
        i18n_fill(title, sizeof title, T(ui->tr, "Here now: {n}"), "n", number, I18N_END);
        screen_title(ui, layout, title, ACT_BACK, T(ui->tr, "Back"), 0);
        int top = screen_title_height(layout) + m / 2;
        layout_text(layout, layout_rect(m, top, w - 2 * m, layout_px(layout, 80)),
                    T(ui->tr, "Nobody is checked in."), LAYOUT_REGULAR, layout_px(layout, 30),
                    COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_MIDDLE);
        return;
    }
    /* The title is the count: "12 av 30 telt" says who is here too. */
    snprintf(number, sizeof number, "%d", ticked);
    snprintf(total, sizeof total, "%d", ui->row_count);
    i18n_fill(title, sizeof title, T(ui->tr, "{n} of {total} counted"), "n", number, "total", total,
              I18N_END);
    if (ui->roll_leave_asked) {
        /* The question stands alone: nothing under it to press by mistake. */
        screen_title(ui, layout, title, 0, NULL, 0);
        leave_question(ui, layout, ticked);
        return;
    }

    struct roll_geometry g;
    memset(&g, 0, sizeof g);
    g.gap = m;
    g.pad = layout_px(layout, 8);
    g.name_px = layout_px(layout, LAYOUT_MIN_LIST_TEXT_PX);
    g.tick_w = layout_px(layout, 28);
    g.time_w = text_w(layout, LAYOUT_REGULAR, g.name_px, "00.00") + layout_px(layout, 4);
    g.x = m;
    g.top = screen_title_height(layout) + m / 2;
    /* The page buttons: in the title bar beside the count, or upright
     * (narrow) in a row of their own at the bottom. */
    int bar = layout_px(layout, 64), arrow_w = layout_px(layout, 72);
    int page_w = layout_px(layout, 72), pager_w = 2 * arrow_w + page_w + m;
    roll_columns(layout, &g, w - 2 * m, h - m);
    int pages = roll_pack(ui, layout, &g, -1, NULL);
    if (pages > 1 && portrait) {
        roll_columns(layout, &g, w - 2 * m, h - 2 * m - bar);
        pages = roll_pack(ui, layout, &g, -1, NULL);
    }
    if (ui->page >= pages)
        ui->page = pages - 1;
    if (ui->page < 0)
        ui->page = 0;
    struct layout_box *heading = screen_title(ui, layout, title, ACT_BACK, T(ui->tr, "Back"),
                                              pages > 1 && !portrait ? pager_w : 0);
    if (ticked == ui->row_count)
        heading->fg = COLOUR_IN; /* all counted */
    roll_pack(ui, layout, &g, ui->page, roll_row);
    if (pages > 1) {
        char page[32], a[16], b[16];
        snprintf(a, sizeof a, "%d", ui->page + 1);
        snprintf(b, sizeof b, "%d", pages);
        i18n_fill(page, sizeof page, T(ui->tr, "{page}/{pages}"), "page", a, "pages", b, I18N_END);
        int x = portrait ? m : w - m - pager_w, y = portrait ? h - m - bar : m;
        if (portrait) {
            arrow_w = (w - 2 * m - page_w - m) / 2;
            pager_w = w - 2 * m;
        }
        pager_button(layout, layout_rect(x, y, arrow_w, bar), -1, ui->page > 0, ICON_ARROW_UP);
        layout_text(layout, layout_rect(x + arrow_w + m / 2, y, pager_w - 2 * arrow_w - m, bar),
                    page, LAYOUT_BOLD, layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE,
                    ALIGN_CENTER, LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
        pager_button(layout, layout_rect(x + pager_w - arrow_w, y, arrow_w, bar), 1,
                     ui->page + 1 < pages, ICON_ARROW_DOWN);
    }
}

static void roll_action(struct ui *ui, const struct layout_box *box)
{
    if (!box)
        return;
    if (ui->roll_leave_asked) {
        /* The question covers the list: only its two answers count. */
        if (box->action == ACT_YES) {
            ui->roll_leave_asked = 0;
            ui_go(ui, UI_STAFF);
        } else if (box->action == ACT_NO) {
            ui->roll_leave_asked = 0;
        }
        return;
    }
    switch (box->action) {
    case ACT_ROLL_TICK:
        if (box->arg >= 0 && box->arg < ui->row_count)
            ui->rows[box->arg].ticked = !ui->rows[box->arg].ticked;
        roll_idle(ui); /* with ticks now (or none left), the idle time differs */
        ui_touch_idle(ui);
        break;
    case ACT_BACK:
        if (roll_ticked(ui))
            ui->roll_leave_asked = 1;
        else
            ui_go(ui, UI_STAFF);
        break;
    case ACT_PAGE:
        ui->page += (int)box->arg;
        if (ui->page < 0)
            ui->page = 0;
        break;
    default:
        break;
    }
}

/* The list is read anew each time it opens; after a card's confirmation
 * it comes back as it was, ticks and all. */
static int roll_enter(struct ui *ui, const struct ui_move *move)
{
    if (move->from == UI_CONFIRM) {
        roll_idle(ui);
        return 0;
    }
    struct roll_job *j = calloc(1, sizeof *j);
    if (!j) {
        fprintf(stderr, "tilstede: out of memory for the roll call\n");
        return UI_ENTER_LATER; /* stays where it is */
    }
    j->job.run = roll_run;
    j->job.done = roll_done;
    j->ticket = ++ui->staff_ticket;
    ui_submit(ui, &j->job);
    return UI_ENTER_LATER;
}

const struct ui_screen_ops screen_roll = {
    .name = "staff_present", .build = roll_build, .action = roll_action, .enter = roll_enter};
