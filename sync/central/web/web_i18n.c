/* The web app's languages: the text of a page in the signed-in person's
 * language (bokmål, nynorsk or English; stored with the account, chosen on
 * their own page), before sign-in the browser's (Accept-Language). The
 * catalogues of the text domain "tilstede-central" (sync/central/po/) are
 * compiled by msgfmt and into the program, so a server without nn_NO or
 * en locales serves every language, and each request its own. The msgids
 * are bokmål: bokmål needs no catalogue. */
#include "web.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mo.h"

extern const char embed_central_nb[], embed_central_nn[], embed_central_en[];
extern const unsigned long embed_central_nb_size, embed_central_nn_size, embed_central_en_size;

/* nb holds only the roster parser's row errors, whose msgids are English
 * (roster.h's translate); a page's bokmål msgid is not in it. */
static struct mo nb, nn, en;
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void)
{
    char err[128];
    /* msgfmt --check made them in this build: a failure is a build's bug,
     * and the page falls back to bokmål rather than failing. */
    if (mo_parse(&nb, embed_central_nb, embed_central_nb_size, err, sizeof err))
        fprintf(stderr, "tilstede-central: the bokmål catalogue: %s\n", err);
    if (mo_parse(&nn, embed_central_nn, embed_central_nn_size, err, sizeof err))
        fprintf(stderr, "tilstede-central: the nynorsk catalogue: %s\n", err);
    if (mo_parse(&en, embed_central_en, embed_central_en_size, err, sizeof err))
        fprintf(stderr, "tilstede-central: the English catalogue: %s\n", err);
}

static const struct mo *catalogue(const char *lang)
{
    pthread_once(&loaded, load);
    return !strcmp(lang, "nn") ? &nn : !strcmp(lang, "en") ? &en : &nb;
}

int web_lang_valid(const char *lang)
{
    return lang && (!strcmp(lang, "nb") || !strcmp(lang, "nn") || !strcmp(lang, "en"));
}

const char *web_lang(const struct web *web)
{
    return web && web_lang_valid(web->user.lang) ? web->user.lang : "nb";
}

const char *web_text(const struct web *web, const char *msgid)
{
    const char *text = mo_find(catalogue(web_lang(web)), msgid, NULL);
    return text ? text : msgid;
}

const char *web_ntext(const struct web *web, const char *singular, const char *plural, long n)
{
    uint32_t len = 0;
    const char *text = mo_find(catalogue(web_lang(web)), singular, &len);
    /* Every language here has two forms: n == 1 and the rest. */
    if (!text)
        return n == 1 ? singular : plural;
    size_t first = strlen(text);
    return n != 1 && first < len ? text + first + 1 : text;
}

void web_lang_from_browser(const char *accept, char out[4])
{
    snprintf(out, 4, "nb");
    /* The first of ours in the browser's order ("nn-NO,nn;q=0.9,en;q=0.8"):
     * q-values other than 0 are taken in the order written, as browsers
     * write them from the most wanted. "no" is Norwegian: bokmål. */
    for (const char *p = accept ? accept : ""; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        char tag[16];
        size_t n = 0;
        while (p[n] && p[n] != ',' && p[n] != ';' && p[n] != '-' && n + 1 < sizeof tag) {
            tag[n] = (char)tolower((unsigned char)p[n]);
            n++;
        }
        tag[n] = '\0';
        const char *end = strchr(p, ',');
        const char *q = strstr(p, ";q=");
        int refused = q && (!end || q < end) && atof(q + 3) == 0.0;
        if (!refused) {
            if (!strcmp(tag, "nb") || !strcmp(tag, "no") || !strcmp(tag, "nn") ||
                !strcmp(tag, "en")) {
                memcpy(out, !strcmp(tag, "no") ? "nb" : tag, 3); /* two letters and NUL */
                return;
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
}
