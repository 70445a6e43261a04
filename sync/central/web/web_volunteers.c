/* The volunteers: a list with search and filters, and one volunteer's page
 * (names, id, cards, papers, visits, notes), where a lost card is revoked
 * (it reaches every kiosk with the next roster answer) and a note added.
 * A contact reaches only the volunteers who have been at one of their
 * sites, and sees only those sites' visits: the store's filter is the one
 * rule, for the list and for a page opened by URL alike. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "web.h"

#define VOLUNTEERS_SHOWN  500 /* rows of the list; a search finds the rest */
#define VISITS_SHOWN      200 /* the newest visits on a volunteer's page */
#define EXPIRING_DAYS     30  /* the papers filter's default window */
#define EXPIRING_DAYS_MAX 3650
#define CARD_SHOWN_HEX    6 /* a card is named by the end of its hash */
#define VOLUNTEER_URL_MAX WEB_URL_PART_MAX(EVENT_KEY_MAX)

/* Every word these pages show, in one place (bokmål msgids, translated
 * where they are used: T()). Plain text: the markup is in the formats
 * below. */
static const struct {
    const char *list_title, *search, *search_hint, *site, *any_site, *state, *active_only,
        *inactive_only, *both, *papers, *papers_any, *papers_missing, *papers_expiring, *days,
        *show, *col_name, *col_id, *col_state, *col_confidentiality, *col_police, *active,
        *inactive, *none_found, *first_only, *first_only_more, *one, *many, *read_failed;
    const char *id, *cards, *no_cards, *card, *card_in_use, *card_revoked, *revoke,
        *confidentiality, *police, *signed_on, *signed_undated, *missing, *valid_until, *expired,
        *police_undated, *visits, *no_visits, *col_site, *col_came, *col_left, *col_duration,
        *here_now, *notes, *no_notes, *note_label, *note_add, *back, *statement, *report;
    const char *not_found_title, *not_found, *confirm_title, *confirm_card, *confirm_of,
        *confirm_text, *confirm_yes, *cancel, *revoked_done, *note_done, *no_card, *note_empty,
        *note_too_long, *busy_title, *busy;
} text = {
    .list_title = N_("Frivillige"),
    .search = N_("Søk"),
    .search_hint = N_("Navn eller frivillig-ID"),
    .site = N_("Har vært på"),
    .any_site = N_("Alle enheter"),
    .state = N_("Status"),
    .active_only = N_("Aktive"),
    .inactive_only = N_("Inaktive"),
    .both = N_("Alle"),
    .papers = N_("Papirer"),
    .papers_any = N_("Alle"),
    .papers_missing = N_("Mangler taushetserklæring eller gyldig politiattest"),
    .papers_expiring = N_("Politiattesten går ut snart"),
    .days = N_("Går ut innen (dager)"),
    .show = N_("Vis"),
    .col_name = N_("Navn"),
    .col_id = N_("Frivillig-ID"),
    .col_state = N_("Status"),
    .col_confidentiality = N_("Taushetserklæring"),
    .col_police = N_("Politiattest"),
    .active = N_("aktiv"),
    .inactive = N_("inaktiv"),
    .none_found = N_("Ingen frivillige passer til søket."),
    .first_only = N_("Viser de første"),
    .first_only_more = N_("Søk eller filtrer for å finne flere."),
    .one = N_("frivillig"),
    .many = N_("frivillige"),
    .read_failed = N_("Listen kunne ikke leses. Last siden på nytt."),
    .id = N_("Frivillig-ID"),
    .cards = N_("Kort"),
    .no_cards = N_("Ingen kort registrert."),
    .card = N_("Kort"),
    .card_in_use = N_("i bruk"),
    .card_revoked = N_("sperret"),
    .revoke = N_("Sperr kortet"),
    .confidentiality = N_("Taushetserklæring"),
    .police = N_("Politiattest"),
    .signed_on = N_("signert"),
    .signed_undated = N_("signert (uten dato)"),
    .missing = N_("mangler"),
    .valid_until = N_("gyldig til"),
    .expired = N_("utløpt"),
    .police_undated = N_("levert (uten utløpsdato)"),
    .visits = N_("Besøk"),
    .no_visits = N_("Ingen besøk registrert."),
    .col_site = N_("Enhet"),
    .col_came = N_("Kom"),
    .col_left = N_("Gikk"),
    .col_duration = N_("Varighet"),
    .here_now = N_("er her nå"),
    .notes = N_("Notater"),
    .no_notes = N_("Ingen notater."),
    .note_label = N_("Nytt notat"),
    .note_add = N_("Lagre notatet"),
    .back = N_("Tilbake til de frivillige"),
    .statement = N_("Timebekreftelse (til skole, jobbsøknad eller NAV)"),
    .report = N_("Timer i år"),
    .not_found_title = N_("Fant ikke den frivillige"),
    .not_found = N_("Det finnes ingen frivillig med denne ID-en som du har tilgang til."),
    .confirm_title = N_("Sperre kortet?"),
    .confirm_card = N_("Kortet"),
    .confirm_of = N_("til"),
    .confirm_text = N_("sperres på alle kiosker neste gang de henter frivilliglisten. Et sperret "
                    "kort kan ikke tas i bruk igjen; et nytt kort registreres på kiosken."),
    .confirm_yes = N_("Ja, sperr kortet"),
    .cancel = N_("Avbryt"),
    .revoked_done = N_("Kortet er sperret. Kioskene får beskjed neste gang de henter "
                    "frivilliglisten (innen noen minutter)."),
    .note_done = N_("Notatet er lagret."),
    .no_card = N_("Den frivillige har ikke dette kortet i bruk."),
    .note_empty = N_("Notatet er tomt."),
    .note_too_long = N_("Notatet er for langt. Høyst antall byte:"),
    .busy_title = N_("Prøv igjen"),
    .busy = N_("Endringen kunne ikke lagres nå. Prøv igjen om litt."),
};

#define T(field) _(text.field)

/* The filter that limits a contact to their sites. */
static void reach(const struct web *web, struct central_volunteer_filter *filter)
{
    if (web->user.role == CENTRAL_ROLE_COORDINATOR)
        return;
    filter->limited = 1;
    filter->sites = (const char(*)[EVENT_KEY_MAX])web->user.sites;
    filter->site_count = web->user.site_count;
}

static int keep_one(void *ctx, const struct central_volunteer *volunteer)
{
    *(struct central_volunteer *)ctx = *volunteer;
    return 0;
}

/* See web.h. */
int web_volunteer_find(const struct web *web, const char *external_id,
                       struct central_volunteer *volunteer)
{
    struct central_volunteer_filter filter = {.external_id = external_id, .active = -1};
    reach(web, &filter);
    if (!external_id[0])
        return -ENOENT;
    char err[256];
    volunteer->external_id[0] = '\0';
    int rc = central_store_volunteers(web->request->store, &filter, keep_one, volunteer, err,
                                      sizeof err);
    if (rc == 0 && volunteer->external_id[0])
        return 0;
    return rc ? rc : -ENOENT;
}

/* The volunteer the URL names, or 1 after answering 404 (none, or not
 * theirs) or 503. */
int web_volunteer_or_answer(struct web *web, const char *external_id,
                            struct central_volunteer *volunteer)
{
    int rc = web_volunteer_find(web, external_id, volunteer);
    if (rc == -ENOENT)
        web_message(web, MHD_HTTP_NOT_FOUND, T(not_found_title), T(not_found));
    else if (rc)
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
    return rc ? 1 : 0;
}

static int volunteer_of_url(struct web *web, struct central_volunteer *volunteer)
{
    return web_volunteer_or_answer(web, web->arg, volunteer);
}

static void volunteer_path(const char *external_id, char *out, size_t cap)
{
    char id[VOLUNTEER_URL_MAX];
    web_url_part(external_id, id, sizeof id);
    snprintf(out, cap, "/volunteers/%s", id);
}

/* "signert 23.11.2026", "mangler", ... */
static void confidentiality_words(const struct web *web, const struct central_volunteer *v,
                                  char *out, size_t cap)
{
    char date[48];
    web_date(web, v->confidentiality_signed, date, sizeof date);
    if (v->confidentiality_signed[0])
        snprintf(out, cap, "%s %s", T(signed_on), date);
    else
        snprintf(out, cap, "%s", v->confidentiality_undated ? T(signed_undated) : T(missing));
}

/* The police certificate's words, and 1 when it wants attention (none,
 * run out, or running out within `within_days`). */
static int police_words(const struct web *web, const struct central_volunteer *v, int within_days,
                        char *out, size_t cap)
{
    char date[48], today[CENTRAL_DATE_LEN + 1], soon[CENTRAL_DATE_LEN + 1];
    web_day(0, today);
    web_day(within_days, soon);
    web_date(web, v->police_valid_until, date, sizeof date);
    if (v->police_valid_until[0] && strcmp(v->police_valid_until, today) < 0) {
        snprintf(out, cap, "%s %s", T(expired), date);
        return 1;
    }
    if (v->police_valid_until[0]) {
        snprintf(out, cap, "%s %s", T(valid_until), date);
        return strcmp(v->police_valid_until, soon) <= 0;
    }
    snprintf(out, cap, "%s", v->police_undated ? T(police_undated) : T(missing));
    return !v->police_undated;
}

/* ---- the list ---- */

struct list {
    const struct web *web;
    struct central_buf rows; /* the table's rows, written after its caption */
    size_t count;
};

/* A cell or value that needs attention (papers missing, a card revoked). */
static const char *warn_class(int warn)
{
    return warn ? " class=\"warn\"" : "";
}
static int list_row(void *ctx, const struct central_volunteer *v)
{
    struct list *list = ctx;
    const struct web *web = list->web;
    if (++list->count > VOLUNTEERS_SHOWN)
        return 0;
    char path[VOLUNTEER_URL_MAX + 16], paper[96], police[96];
    volunteer_path(v->external_id, path, sizeof path);
    confidentiality_words(web, v, paper, sizeof paper);
    int warn = police_words(web, v, EXPIRING_DAYS, police, sizeof police);
    int paper_missing = !v->confidentiality_signed[0] && !v->confidentiality_undated;
    central_buf_htmlf(&list->rows,
                      "<tr><td><a href=\"%s\">%s %s</a></td><td data-label=\"%s\">%s</td>"
                      "<td data-label=\"%s\">%s</td><td data-label=\"%s\"",
                      path, v->given_name, v->family_name, T(col_id), v->external_id,
                      T(col_state), v->active ? T(active) : T(inactive),
                      T(col_confidentiality));
    /* The class is markup, never an escaped argument. */
    central_buf_str(&list->rows, warn_class(paper_missing));
    central_buf_htmlf(&list->rows, ">%s</td><td data-label=\"%s\"", paper, T(col_police));
    central_buf_str(&list->rows, warn_class(warn));
    central_buf_htmlf(&list->rows, ">%s</td></tr>", police);
    return 0;
}

static int site_option(void *ctx, const struct central_site *site)
{
    struct web *web = ctx;
    const char *chosen = web_field(web, "site");
    if (web_may_site(web, site->id))
        central_buf_htmlf(web->out, "<option value=\"%s\"%s>%s</option>", site->id,
                          chosen && !strcmp(chosen, site->id) ? " selected" : "", site->name);
    return 0;
}

static void option(struct web *web, const char *value, const char *chosen, const char *words)
{
    central_buf_htmlf(web->out, "<option value=\"%s\"%s>%s</option>", value,
                      !strcmp(value, chosen) ? " selected" : "", words);
}

/* A labelled select of the filters; its options follow, then "</select></div>". */
static void select_start(struct web *web, const char *id, const char *name, const char *label)
{
    central_buf_htmlf(web->out, "<div><label for=\"%s\">%s</label><select id=\"%s\" name=\"%s\">",
                      id, label, id, name);
}

static void list_page(struct web *web)
{
    struct central_store *store = web->request->store;
    struct central_buf *out = web->out;
    const char *search = web_field(web, "q"), *site = web_field(web, "site"),
               *active = web_field(web, "active"), *papers = web_field(web, "papers"),
               *days_text = web_field(web, "days");
    search = search ? search : "";
    site = site ? site : "";
    active = active && (!strcmp(active, "0") || !strcmp(active, "all")) ? active : "1";
    papers = papers && (!strcmp(papers, "missing") || !strcmp(papers, "expiring")) ? papers : "";
    long days = days_text && days_text[0] ? strtol(days_text, NULL, 10) : EXPIRING_DAYS;
    if (days < 0 || days > EXPIRING_DAYS_MAX)
        days = EXPIRING_DAYS;
    char today[CENTRAL_DATE_LEN + 1], until[CENTRAL_DATE_LEN + 1], err[256];
    web_day(0, today);
    web_day((int)days, until);
    struct central_volunteer_filter filter = {
        .search = search,
        .active = !strcmp(active, "all") ? -1 : atoi(active),
        .site = site,
        .papers = !strcmp(papers, "missing")    ? CENTRAL_PAPERS_MISSING
                  : !strcmp(papers, "expiring") ? CENTRAL_PAPERS_EXPIRING
                                                : CENTRAL_PAPERS_ANY,
        .today = today,
        .until = until,
        .limit = VOLUNTEERS_SHOWN + 1,
    };
    reach(web, &filter);
    /* Another site than theirs in the URL: the list is empty, not wider. */
    if (site[0] && !web_may_site(web, site))
        filter.site_count = 0, filter.limited = 1;

    web_begin(web, T(list_title));
    central_buf_htmlf(out,
                      "<form method=\"get\" action=\"/volunteers\" class=\"filters\" "
                      "role=\"search\"><div><label for=\"q\">%s</label><input id=\"q\" "
                      "name=\"q\" type=\"search\" value=\"%s\" placeholder=\"%s\" "
                      "maxlength=\"100\"></div>",
                      T(search), search, T(search_hint));
    select_start(web, "fsite", "site", T(site));
    option(web, "", site, T(any_site));
    central_store_sites(store, site_option, web, err, sizeof err);
    central_buf_str(out, "</select></div>");
    select_start(web, "factive", "active", T(state));
    option(web, "1", active, T(active_only));
    option(web, "0", active, T(inactive_only));
    option(web, "all", active, T(both));
    central_buf_str(out, "</select></div>");
    select_start(web, "fpapers", "papers", T(papers));
    option(web, "", papers, T(papers_any));
    option(web, "missing", papers, T(papers_missing));
    option(web, "expiring", papers, T(papers_expiring));
    central_buf_htmlf(out,
                      "</select></div><div><label for=\"fdays\">%s</label><input id=\"fdays\" "
                      "name=\"days\" type=\"number\" min=\"0\" max=\"%d\" value=\"%ld\" "
                      "inputmode=\"numeric\"></div><div><button type=\"submit\">%s</button>"
                      "</div></form>",
                      T(days), EXPIRING_DAYS_MAX, days, T(show));

    struct list list = {.web = web, .count = 0};
    central_buf_init(&list.rows, VOLUNTEERS_SHOWN * 2048);
    int rc = central_store_volunteers(store, &filter, list_row, &list, err, sizeof err);
    char count[32];
    web_number(web, (double)(list.count > VOLUNTEERS_SHOWN ? VOLUNTEERS_SHOWN : list.count), 0,
               count, sizeof count);
    if (rc || list.rows.failed) {
        central_buf_htmlf(out, "<p class=\"error\" role=\"alert\">%s</p>", T(read_failed));
    } else if (!list.count) {
        central_buf_htmlf(out, "<p role=\"status\">%s</p>", T(none_found));
    } else {
        /* The count is the table's caption, and announced after a search. */
        central_buf_str(out,
                        "<div class=\"wide\"><table class=\"stack\"><caption role=\"status\">");
        if (list.count > VOLUNTEERS_SHOWN)
            central_buf_htmlf(out, "%s %s. %s", T(first_only), count, T(first_only_more));
        else
            central_buf_htmlf(out, "%s %s", count, list.count == 1 ? T(one) : T(many));
        central_buf_htmlf(out,
                          "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s"
                          "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                          "<th scope=\"col\">%s</th></tr></thead><tbody>",
                          T(col_name), T(col_id), T(col_state), T(col_confidentiality),
                          T(col_police));
        central_buf_add(out, list.rows.data, list.rows.len);
        central_buf_str(out, "</tbody></table></div>");
    }
    central_buf_free(&list.rows);
    web_end(web);
}

/* ---- one volunteer ---- */

struct card_rows {
    struct web *web;
    const char *path;
    int count;
};

static const char *card_name(const char *card_hash)
{
    size_t len = strlen(card_hash);
    return card_hash + (len > CARD_SHOWN_HEX ? len - CARD_SHOWN_HEX : 0);
}

static int card_row(void *ctx, const struct central_card *card)
{
    struct card_rows *rows = ctx;
    const struct web *web = rows->web;
    struct central_buf *out = web->out;
    rows->count++;
    central_buf_htmlf(out, "<tr><td class=\"t\">%s …%s</td><td data-label=\"%s\"", T(card),
                      card_name(card->card_hash), T(state));
    central_buf_str(out, warn_class(card->revoked));
    central_buf_htmlf(out, ">%s</td><td>", card->revoked ? T(card_revoked) : T(card_in_use));
    if (!card->revoked)
        central_buf_htmlf(
            out, "<a class=\"button\" href=\"%s?card=%s\" aria-label=\"%s …%s\">%s</a>", rows->path,
            card->card_hash, T(revoke), card_name(card->card_hash), T(revoke));
    central_buf_str(out, "</td></tr>");
    return 0;
}

/* Rows written to a page, counted. */
struct rows {
    struct web *web;
    int count;
};

static int visit_row(void *ctx, const struct central_visit *visit)
{
    struct rows *rows = ctx;
    const struct web *web = rows->web;
    /* A contact sees their own sites' visits only. */
    if (!web_may_site(rows->web, visit->site) || rows->count >= VISITS_SHOWN)
        return 0;
    rows->count++;
    char came[64], left[64] = "", duration[32] = "–";
    web_when(web, visit->start_us, came, sizeof came);
    if (visit->end_us) {
        /* The same day: the clock is enough. */
        if (web_same_day(visit->start_us, visit->end_us))
            web_time(web, visit->end_us, left, sizeof left);
        else
            web_when(web, visit->end_us, left, sizeof left);
        int64_t minutes = (visit->end_us - visit->start_us) / 60000000;
        if (minutes >= 60)
            /* TRANSLATORS: hours and minutes a visit lasted. */
            snprintf(duration, sizeof duration, _("%lld t %lld min"), (long long)(minutes / 60),
                     (long long)(minutes % 60));
        else
            snprintf(duration, sizeof duration, _("%lld min"), (long long)minutes);
    }
    central_buf_htmlf(rows->web->out,
                      "<tr><td>%s</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                      "<td class=\"n\" data-label=\"%s\">%s</td></tr>",
                      visit->site_name, T(col_came), came, T(col_left),
                      visit->end_us ? left : T(here_now), T(col_duration), duration);
    return 0;
}

static int note_row(void *ctx, const struct central_note *note)
{
    struct rows *rows = ctx;
    const struct web *web = rows->web;
    char when[64];
    web_when(web, note->at_us, when, sizeof when);
    if (!rows->count++)
        central_buf_str(rows->web->out, "<ul class=\"notes\">");
    central_buf_htmlf(rows->web->out,
                      "<li><p class=\"meta\">%s · %s</p><p class=\"note\">%s</p></li>", when,
                      note->author, note->text);
    return 0;
}

static void volunteer_page(struct web *web, const struct central_volunteer *v, const char *done)
{
    struct central_store *store = web->request->store;
    struct central_buf *out = web->out;
    char title[2 * CENTRAL_NAME_MAX + 2], path[VOLUNTEER_URL_MAX + 16], paper[96], police[96],
        err[256];
    snprintf(title, sizeof title, "%s %s", v->given_name, v->family_name);
    volunteer_path(v->external_id, path, sizeof path);
    confidentiality_words(web, v, paper, sizeof paper);
    int warn = police_words(web, v, EXPIRING_DAYS, police, sizeof police);
    int paper_missing = !v->confidentiality_signed[0] && !v->confidentiality_undated;
    web_begin(web, title);
    if (done)
        central_buf_htmlf(out, "<p class=\"done\" role=\"status\">%s</p>", done);
    central_buf_htmlf(out,
                      "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>"
                      "<dt>%s</dt><dd",
                      T(id), v->external_id, T(state), v->active ? T(active) : T(inactive),
                      T(confidentiality));
    central_buf_str(out, warn_class(paper_missing));
    central_buf_htmlf(out, ">%s</dd><dt>%s</dt><dd", paper, T(police));
    central_buf_str(out, warn_class(warn));
    central_buf_htmlf(out, ">%s</dd></dl>", police);
    char id[VOLUNTEER_URL_MAX];
    web_url_part(v->external_id, id, sizeof id);
    central_buf_htmlf(out,
                      "<p class=\"actions\"><a href=\"/statement/%s\">%s</a> <a "
                      "href=\"/reports?by=visits&amp;volunteer=%s\">%s</a></p>",
                      id, T(statement), id, T(report));

    central_buf_htmlf(
        out,
        "<h2>%s</h2><div class=\"wide\"><table class=\"stack\"><caption class=\"sr\">%s</caption>"
        "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
        "<th scope=\"col\"><span class=\"sr\">%s</span></th></tr></thead><tbody>",
        T(cards), T(cards), T(card), T(state), T(revoke));
    struct card_rows cards = {web, path, 0};
    int rc =
        central_store_volunteer_cards(store, v->external_id, card_row, &cards, err, sizeof err);
    central_buf_str(out, "</tbody></table></div>");
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>", T(read_failed));
    else if (!cards.count)
        central_buf_htmlf(out, "<p>%s</p>", T(no_cards));

    central_buf_htmlf(
        out,
        "<h2>%s</h2><div class=\"wide\"><table class=\"stack\"><caption class=\"sr\">%s</caption>"
        "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
        "<th scope=\"col\">%s</th><th scope=\"col\" class=\"n\">%s</th></tr>"
        "</thead><tbody>",
        T(visits), T(visits), T(col_site), T(col_came), T(col_left), T(col_duration));
    struct rows visits = {web, 0};
    rc = central_store_volunteer_visits(store, v->external_id, "", 0, visit_row, &visits, err,
                                        sizeof err);
    central_buf_str(out, "</tbody></table></div>");
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>", T(read_failed));
    else if (!visits.count)
        central_buf_htmlf(out, "<p>%s</p>", T(no_visits));

    central_buf_htmlf(out, "<h2>%s</h2>", T(notes));
    struct rows notes = {web, 0};
    rc = central_store_notes(store, v->external_id, note_row, &notes, err, sizeof err);
    if (notes.count)
        central_buf_str(out, "</ul>");
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>", T(read_failed));
    else if (!notes.count)
        central_buf_htmlf(out, "<p>%s</p>", T(no_notes));
    central_buf_htmlf(out,
                      "<form method=\"post\" action=\"%s\" class=\"stack\">"
                      "<input type=\"hidden\" name=\"action\" value=\"note\">"
                      "<label for=\"note\">%s</label><textarea id=\"note\" name=\"text\" "
                      "rows=\"3\" maxlength=\"%d\" required></textarea>",
                      path, T(note_label), CENTRAL_NOTE_MAX - 1);
    web_csrf_field(web);
    central_buf_htmlf(out,
                      "<button type=\"submit\">%s</button></form>"
                      "<p><a href=\"/volunteers\">%s</a></p>",
                      T(note_add), T(back));
    web_end(web);
}

/* The card, if it is one of the volunteer's cards in use. */
struct card_find {
    const char *hash;
    int found;
};

static int card_match(void *ctx, const struct central_card *card)
{
    struct card_find *find = ctx;
    if (!card->revoked && !strcmp(card->card_hash, find->hash))
        find->found = 1;
    return 0;
}

static int has_card(struct web *web, const char *external_id, const char *hash)
{
    struct card_find find = {hash, 0};
    char err[256];
    if (!hash || !hash[0])
        return 0;
    central_store_volunteer_cards(web->request->store, external_id, card_match, &find, err,
                                  sizeof err);
    return find.found;
}

static void confirm_page(struct web *web, const struct central_volunteer *v, const char *hash)
{
    struct central_buf *out = web->out;
    char path[VOLUNTEER_URL_MAX + 16], name[2 * CENTRAL_NAME_MAX + 2], card[16], words[512];
    volunteer_path(v->external_id, path, sizeof path);
    snprintf(name, sizeof name, "%s %s", v->given_name, v->family_name);
    snprintf(card, sizeof card, "…%s", card_name(hash));
    snprintf(words, sizeof words, "%s %s %s %s %s", T(confirm_card), card, T(confirm_of), name,
             T(confirm_text));
    web_begin(web, T(confirm_title));
    central_buf_htmlf(out,
                      "<p>%s</p><form method=\"post\" action=\"%s\" class=\"actions\">"
                      "<input type=\"hidden\" name=\"action\" value=\"revoke\">"
                      "<input type=\"hidden\" name=\"card\" value=\"%s\">",
                      words, path, hash);
    web_csrf_field(web);
    central_buf_htmlf(out,
                      "<button type=\"submit\" class=\"danger\">%s</button> "
                      "<a href=\"%s\">%s</a></form>",
                      T(confirm_yes), path, T(cancel));
    web_end(web);
}

void web_volunteers_page(struct web *web)
{
    if (!web->arg[0]) {
        list_page(web);
        return;
    }
    struct central_volunteer v;
    if (volunteer_of_url(web, &v))
        return;
    const char *card = web_field(web, "card"), *done = web_field(web, "done");
    if (card) {
        if (has_card(web, v.external_id, card))
            confirm_page(web, &v, card);
        else
            web_message(web, MHD_HTTP_NOT_FOUND, T(not_found_title), T(no_card));
        return;
    }
    volunteer_page(web, &v,
                   done && !strcmp(done, "card")   ? T(revoked_done)
                   : done && !strcmp(done, "note") ? T(note_done)
                                                   : NULL);
}

static void revoke_card(struct web *web, const struct central_volunteer *v, const char *path)
{
    const char *hash = web_field(web, "card");
    char err[256], done[VOLUNTEER_URL_MAX + 32];
    int rc = hash && hash[0] ? central_store_card_revoke(web->request->store, v->external_id, hash,
                                                         err, sizeof err)
                             : -ENOENT;
    if (rc == -ENOENT) {
        web_message(web, MHD_HTTP_NOT_FOUND, T(not_found_title), T(no_card));
        return;
    }
    if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        return;
    }
    /* The audit log names the volunteer, never the card. */
    web_audit(web, "card revoke", v->external_id, "");
    snprintf(done, sizeof done, "%s?done=card", path);
    web_redirect(web, done);
}

static int valid_utf8(const char *text_in)
{
    size_t len = strlen(text_in);
    for (size_t at = 0; at < len;) {
        size_t step = utf8_char_len(text_in + at, len - at);
        if (!step)
            return 0;
        at += step;
    }
    return 1;
}

static void add_note(struct web *web, const struct central_volunteer *v, const char *path)
{
    const char *note_text = web_field(web, "text");
    char err[256], done[VOLUNTEER_URL_MAX + 32], words[128];
    size_t len = note_text ? strlen(note_text) : 0;
    while (len &&
           (note_text[len - 1] == ' ' || note_text[len - 1] == '\n' || note_text[len - 1] == '\r'))
        len--;
    if (!len || !valid_utf8(note_text)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, T(note_label), T(note_empty));
        return;
    }
    if (len >= CENTRAL_NOTE_MAX) {
        snprintf(words, sizeof words, "%s %d", T(note_too_long), CENTRAL_NOTE_MAX - 1);
        web_message(web, MHD_HTTP_BAD_REQUEST, T(note_label), words);
        return;
    }
    struct central_note note = {0};
    snprintf(note.author, sizeof note.author, "%s", web->user.name);
    memcpy(note.text, note_text, len);
    if (central_store_note_add(web->request->store, v->external_id, &note, err, sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        return;
    }
    web_audit(web, "note add", v->external_id, "");
    snprintf(done, sizeof done, "%s?done=note", path);
    web_redirect(web, done);
}

void web_volunteers_post(struct web *web)
{
    struct central_volunteer v;
    if (volunteer_of_url(web, &v))
        return;
    char path[VOLUNTEER_URL_MAX + 16];
    volunteer_path(v.external_id, path, sizeof path);
    const char *action = web_field(web, "action");
    if (action && !strcmp(action, "revoke"))
        revoke_card(web, &v, path);
    else if (action && !strcmp(action, "note"))
        add_note(web, &v, path);
    else
        web_message(web, MHD_HTTP_BAD_REQUEST, T(not_found_title), T(not_found));
}
