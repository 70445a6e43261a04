/* The roster upload, for coordinators: the coordinator's CSV from Excel,
 * read by the same parser and rules as `tilstede-central roster import`
 * (roster_import.h), shown first as a preview (added, changed, made
 * inactive, each bad row with its line), then applied.
 *
 * Between the two the file is kept in the database, not re-posted: the
 * person need not pick the file again, several server processes share it,
 * and what is applied is the very file previewed. It is bound to the
 * session (it goes when the session ends) under a random id that the
 * preview's "apply" form carries (only its hash is kept), so a stale
 * preview in another tab cannot apply a newer file; it is kept
 * WEB_UPLOAD_KEEP_S at most. "Apply" reads it again against the roster as
 * it is then and, if that gives other counts than the preview showed,
 * shows the new preview instead of applying.
 *
 * The roster is the municipality's, one list for every site, and an
 * import makes everyone missing from the file inactive: so only a
 * coordinator uploads (the page table admits no other role). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "roster_import.h"
#include "token.h"
#include "web.h"

#define WEB_UPLOAD_KEEP_S     (30 * 60) /* a previewed file waits this long for "apply" */
#define PREVIEW_NAMES_MAX     100       /* names listed per kind of change */
#define AUDIT_DETAIL_NAME_MAX 80        /* bytes of the file's name in the audit row */

/* Every word these pages show, in one place (bokmål msgids, translated
 * where they are used: T()). Plain text: the markup is in the formats
 * below. */
static const struct {
    const char *title, *intro, *file, *file_hint, *preview, *preview_title, *file_read, *added,
        *changed, *inactive, *bad_title, *bad_intro, *line, *warnings, *no_change, *apply_intro,
        *apply, *cancel, *shown_first, *no_file, *not_roster_title, *not_roster, *applied_title,
        *applied, *expired_title, *expired, *moved, *busy_title, *busy, *no_session, *fix_and_retry,
        *did_add, *did_change, *did_inactive, *to_volunteers, *error, *volunteer_one,
        *volunteer_many, *uploaded_file;
} text = {
    .title = N_("Last opp frivilliglisten"),
    .intro = N_("Lagre listen fra Excel som CSV («CSV (semikolonseparert)» eller «CSV UTF-8») og "
             "last den opp her. Du ser hva som vil endres før noe lagres. Frivillige som ikke "
             "står i filen, blir satt som inaktive."),
    .file = N_("Fil (CSV)"),
    .file_hint = N_("Kolonner som Frivillig-ID, Fornavn, Etternavn, Aktiv, Taushetserklæring og "
                 "Politiattest gyldig til. Overskrifter på norsk eller engelsk."),
    .preview = N_("Se hva som endres"),
    .preview_title = N_("Forhåndsvisning av frivilliglisten"),
    .file_read = N_("er lest som"),
    .added = N_("blir lagt til"),
    .changed = N_("blir endret"),
    .inactive = N_("blir satt som inaktive"),
    .bad_title = N_("Rader med feil"),
    .bad_intro = N_("Disse radene kan ikke leses. Ingenting blir lagret før de er rettet: en rad "
                 "som ble hoppet over, ville gjort den frivillige inaktiv. Rett filen i Excel og "
                 "last den opp igjen. Tallene over gjelder radene som kunne leses."),
    .line = N_("Linje"),
    .warnings = N_("Merknader"),
    .no_change = N_("Ingen endringer: filen stemmer med frivilliglisten slik den er nå."),
    .apply_intro = N_("Ingenting er lagret ennå. Kioskene får endringene neste gang de henter "
                   "frivilliglisten."),
    .apply = N_("Lagre endringene"),
    .cancel = N_("Avbryt"),
    .shown_first = N_("viser de første"),
    .no_file = N_("Velg en fil å laste opp."),
    .not_roster_title = N_("Filen kunne ikke leses"),
    .not_roster = N_("Filen kunne ikke leses som en frivilligliste. Feilen:"),
    .applied_title = N_("Frivilliglisten er oppdatert"),
    .applied = N_("Endringene er lagret. Kioskene får dem neste gang de henter frivilliglisten."),
    .expired_title = N_("Forhåndsvisningen er borte"),
    .expired = N_("Forhåndsvisningen er for gammel, eller en nyere fil er lastet opp. Last opp "
               "filen igjen."),
    .moved = N_("Frivilliglisten er endret siden forhåndsvisningen. Se over endringene på nytt."),
    .busy_title = N_("Prøv igjen"),
    .busy = N_("Frivilliglisten kunne ikke lagres nå. Prøv igjen om litt."),
    .no_session = N_("Å lagre en opplastet fil krever at du er logget inn i nettleseren. Skript "
                  "bruker «tilstede-central roster import»."),
    .fix_and_retry = N_("Last opp en annen fil"),
    .did_add = N_("lagt til"),
    .did_change = N_("endret"),
    .did_inactive = N_("satt som inaktive"),
    .to_volunteers = N_("Til de frivillige"),
    .error = N_("Feil"),
    .volunteer_one = N_("frivillig"),
    .volunteer_many = N_("frivillige"),
    .uploaded_file = N_("Filen"),
};

#define T(field) _(text.field)

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void count_words(const struct web *web, size_t count, char *out, size_t cap)
{
    web_number(web, (double)count, 0, out, cap);
}

void web_roster_page(struct web *web)
{
    web_begin(web, T(title));
    central_buf_htmlf(web->out,
                      "<p>%s</p><form method=\"post\" action=\"/roster/preview\" "
                      "enctype=\"multipart/form-data\" class=\"stack\">"
                      "<label for=\"file\">%s</label><input id=\"file\" name=\"file\" "
                      "type=\"file\" accept=\".csv,text/csv,text/plain\" required "
                      "aria-describedby=\"file-hint\"><p id=\"file-hint\" class=\"hint\">%s</p>",
                      T(intro), T(file), T(file_hint));
    web_csrf_field(web);
    central_buf_htmlf(web->out, "<button type=\"submit\">%s</button></form>", T(preview));
    web_end(web);
}

/* The names of one kind of change, for the preview's lists. */
struct names {
    struct central_buf html[3]; /* per enum central_roster_change */
    size_t listed[3];
};

static void on_change(void *ctx, enum central_roster_change change,
                      const struct central_volunteer *v)
{
    struct names *names = ctx;
    if (names->listed[change]++ < PREVIEW_NAMES_MAX)
        central_buf_htmlf(&names->html[change], "<li>%s %s (%s)</li>", v->given_name,
                          v->family_name, v->external_id);
}

static void change_line(struct web *web, struct names *names, enum central_roster_change change,
                        size_t count, const char *words)
{
    char number[32], shown[32];
    count_words(web, count, number, sizeof number);
    if (!count) {
        central_buf_htmlf(web->out, "<li><strong>%s</strong> %s</li>", number, words);
        return;
    }
    central_buf_htmlf(web->out, "<li><details><summary><strong>%s</strong> %s", number, words);
    if (count > PREVIEW_NAMES_MAX) {
        count_words(web, PREVIEW_NAMES_MAX, shown, sizeof shown);
        central_buf_htmlf(web->out, " (%s %s)", T(shown_first), shown);
    }
    central_buf_str(web->out, "</summary><ul>");
    central_buf_add(web->out, names->html[change].data, names->html[change].len);
    central_buf_str(web->out, "</ul></details></li>");
}

/* Shows the preview of file; keeps the upload and offers "apply" when it
 * can be applied and changes something. notice: a line above it, or NULL. */
static void preview(struct web *web, const struct central_roster_file *file, const char *name,
                    const char *data, size_t len, const char *notice)
{
    struct central_buf *out = web->out;
    struct names names;
    memset(&names, 0, sizeof names);
    for (int i = 0; i < 3; i++)
        central_buf_init(&names.html[i], PREVIEW_NAMES_MAX * 1024);
    struct central_roster_counts counts;
    central_roster_compare(file, on_change, &names, &counts);
    /* Keep it first, so a store failure is told before anything is shown. */
    char id[CENTRAL_TOKEN_TEXT_MAX] = "", err[256];
    int keep = !file->bad_count && (counts.added || counts.changed || counts.inactive);
    if (keep && web->has_session) {
        unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
        struct central_upload upload = {.added = counts.added,
                                        .changed = counts.changed,
                                        .inactive = counts.inactive,
                                        .data = (char *)data,
                                        .len = len};
        snprintf(upload.name, sizeof upload.name, "%s", name);
        central_token_new(id, hash);
        if (central_store_upload_put(web->request->store, web->session_hash, hash, &upload,
                                     (int64_t)WEB_UPLOAD_KEEP_S * 1000000, err, sizeof err)) {
            web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
            goto out;
        }
    }
    web_begin(web, T(preview_title));
    if (notice)
        central_buf_htmlf(out, "<p class=\"warn\" role=\"alert\">%s</p>", notice);
    char rows[32];
    count_words(web, file->count, rows, sizeof rows);
    central_buf_htmlf(out, "<p>%s %s %s: %s %s.</p><ul class=\"changes\">", name, T(file_read),
                      roster_encoding_name(file->summary.encoding), rows,
                      file->count == 1 ? T(volunteer_one) : T(volunteer_many));
    change_line(web, &names, CENTRAL_ROSTER_ADDED, counts.added, T(added));
    change_line(web, &names, CENTRAL_ROSTER_CHANGED, counts.changed, T(changed));
    change_line(web, &names, CENTRAL_ROSTER_INACTIVE, counts.inactive, T(inactive));
    central_buf_str(out, "</ul>");
    if (file->bad_count) {
        central_buf_htmlf(out,
                          "<h2>%s</h2><p>%s</p><div class=\"wide\"><table class=\"stack\">"
                          "<caption class=\"sr\">%s</caption><thead><tr><th scope=\"col\">%s"
                          "</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                          T(bad_title), T(bad_intro), T(bad_title), T(line), T(error));
        /* The parser's reasons in the page's language (row_error_text);
         * its warnings and file errors below are still English, marked so
         * for screen readers. */
        for (size_t i = 0; i < file->bad_count; i++)
            central_buf_htmlf(out, "<tr><td>%s %d</td><td>%s</td></tr>", T(line),
                              file->bad[i].line, file->bad[i].reason);
        central_buf_str(out, "</tbody></table></div>");
    }
    if (file->warning_count) {
        central_buf_htmlf(out, "<h2>%s</h2><ul>", T(warnings));
        for (size_t i = 0; i < file->warning_count; i++)
            central_buf_htmlf(out, "<li lang=\"en\">%s</li>", file->warnings[i]);
        central_buf_str(out, "</ul>");
    }
    if (!file->bad_count && !keep)
        central_buf_htmlf(out, "<p class=\"done\" role=\"status\">%s</p>", T(no_change));
    if (keep && !web->has_session)
        central_buf_htmlf(out, "<p>%s</p>", T(no_session));
    if (keep && web->has_session) {
        central_buf_htmlf(out,
                          "<p>%s</p><form method=\"post\" action=\"/roster/apply\" "
                          "class=\"actions\"><input type=\"hidden\" name=\"upload\" "
                          "value=\"%s\">",
                          T(apply_intro), id);
        web_csrf_field(web);
        central_buf_htmlf(out,
                          "<button type=\"submit\">%s</button> <a href=\"/roster\">%s</a>"
                          "</form>",
                          T(apply), T(cancel));
    } else {
        central_buf_htmlf(out, "<p><a href=\"/roster\">%s</a></p>", T(fix_and_retry));
    }
    web_end(web);
out:
    for (int i = 0; i < 3; i++)
        central_buf_free(&names.html[i]);
}

/* The parser's English row errors in the page's language (the catalogues
 * hold them under their English msgids; English keeps them). */
static const char *row_error_text(void *ctx, const char *msgid)
{
    const struct web *web = ctx;
    return web_text(web, msgid);
}

/* Reads data as a roster into file: 0, or 1 after answering. */
static int read_roster(struct web *web, const char *data, size_t len,
                       struct central_roster_file *file)
{
    char err[512];
    struct central_roster_language language = {row_error_text, web};
    int rc =
        central_roster_read(web->request->store, data, len, &language, file, err, sizeof err);
    if (rc == -EINVAL || rc == -EFBIG) {
        web->out->len = 0;
        web->response->status = MHD_HTTP_BAD_REQUEST;
        web_begin(web, T(not_roster_title));
        central_buf_htmlf(web->out,
                          "<p>%s</p><p class=\"error\" lang=\"en\">%s</p><p><a href=\"/roster\">"
                          "%s</a></p>",
                          T(not_roster), err, T(fix_and_retry));
        web_end(web);
        return 1;
    }
    if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        return 1;
    }
    return 0;
}

void web_roster_preview(struct web *web)
{
    size_t len = 0;
    const char *data = web_field_bytes(web, "file", &len);
    if (!data || !len) {
        web_message(web, MHD_HTTP_BAD_REQUEST, T(title), T(no_file));
        return;
    }
    struct central_roster_file file = {0};
    if (!read_roster(web, data, len, &file))
        preview(web, &file, T(uploaded_file), data, len, NULL);
    central_roster_file_free(&file);
}

static void audit_change(struct central_audit *audit, const char *actor,
                         enum central_roster_change change, const char *external_id)
{
    memset(audit, 0, sizeof *audit);
    snprintf(audit->actor, sizeof audit->actor, "%s", actor);
    snprintf(audit->action, sizeof audit->action, "%s",
             change == CENTRAL_ROSTER_ADDED     ? "volunteer add"
             : change == CENTRAL_ROSTER_CHANGED ? "volunteer change"
                                                : "volunteer inactive");
    snprintf(audit->subject, sizeof audit->subject, "%s", external_id);
}

/* The audit rows of an import: one per volunteer changed, then the sum. */
struct audit_rows {
    struct central_audit *rows;
    size_t count;
    const char *actor;
    int64_t at_us;
};

static void on_audit(void *ctx, enum central_roster_change change,
                     const struct central_volunteer *v)
{
    struct audit_rows *audit = ctx;
    audit_change(&audit->rows[audit->count], audit->actor, change, v->external_id);
    audit->rows[audit->count++].at_us = audit->at_us;
}

static void apply(struct web *web, const struct central_roster_file *file,
                  const struct central_upload *upload, const unsigned char *id_hash)
{
    char err[256];
    struct central_roster_counts counts;
    central_roster_compare(file, NULL, NULL, &counts);
    size_t total = counts.added + counts.changed + counts.inactive;
    struct audit_rows audit = {calloc(total + 1, sizeof *audit.rows), 0, web->user.name, now_us()};
    if (!audit.rows) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        return;
    }
    central_roster_compare(file, on_audit, &audit, &counts);
    size_t changed = 0;
    if (central_store_roster_replace(web->request->store, file->list, file->count, &changed, err,
                                     sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        goto out;
    }
    central_store_upload_delete(web->request->store, id_hash, err, sizeof err);
    struct central_audit *sum = &audit.rows[audit.count++];
    memset(sum, 0, sizeof *sum);
    sum->at_us = audit.at_us;
    snprintf(sum->actor, sizeof sum->actor, "%s", web->user.name);
    snprintf(sum->action, sizeof sum->action, "roster import");
    snprintf(sum->subject, sizeof sum->subject, "%.*s", AUDIT_DETAIL_NAME_MAX, upload->name);
    snprintf(sum->detail, sizeof sum->detail, "%zu lagt til, %zu endret, %zu satt inaktive",
             counts.added, counts.changed, counts.inactive);
    central_store_audit_add_many(web->request->store, audit.rows, audit.count, err, sizeof err);

    char added[32], changed_words[32], inactive[32];
    count_words(web, counts.added, added, sizeof added);
    count_words(web, counts.changed, changed_words, sizeof changed_words);
    count_words(web, counts.inactive, inactive, sizeof inactive);
    web_begin(web, T(applied_title));
    central_buf_htmlf(web->out,
                      "<p class=\"done\" role=\"status\">%s</p><ul class=\"changes\">"
                      "<li><strong>%s</strong> %s</li><li><strong>%s</strong> %s</li>"
                      "<li><strong>%s</strong> %s</li></ul><p><a href=\"/volunteers\">%s"
                      "</a></p>",
                      T(applied), added, T(did_add), changed_words, T(did_change), inactive,
                      T(did_inactive), T(to_volunteers));
    web_end(web);
out:
    free(audit.rows);
}

void web_roster_apply(struct web *web)
{
    const char *id = web_field(web, "upload");
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    struct central_upload upload = {0};
    char err[256];
    if (!web->has_session) {
        web_message(web, MHD_HTTP_BAD_REQUEST, T(title), T(no_session));
        return;
    }
    int rc = id && central_token_hash(id, strlen(id), hash) == 0
                 ? central_store_upload_get(web->request->store, web->session_hash, hash,
                                            (int64_t)WEB_UPLOAD_KEEP_S * 1000000, &upload, err,
                                            sizeof err)
                 : -ENOENT;
    if (rc == -ENOENT) {
        web_message(web, MHD_HTTP_NOT_FOUND, T(expired_title), T(expired));
        return;
    }
    if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, T(busy_title), T(busy));
        return;
    }
    struct central_roster_file file = {0};
    if (read_roster(web, upload.data, upload.len, &file))
        goto out;
    struct central_roster_counts counts;
    central_roster_compare(&file, NULL, NULL, &counts);
    if (file.bad_count || counts.added != upload.added || counts.changed != upload.changed ||
        counts.inactive != upload.inactive) {
        /* Someone imported in between: show what it would do now. */
        central_store_upload_delete(web->request->store, hash, err, sizeof err);
        preview(web, &file, upload.name, upload.data, upload.len, T(moved));
        goto out;
    }
    apply(web, &file, &upload, hash);
out:
    central_roster_file_free(&file);
    free(upload.data);
}
