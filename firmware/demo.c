/* The demo site (see demo.h). The names are chosen to try the screens: a
 * 40-character name, æ ø å and é, a volunteer without a signed
 * confidentiality agreement, one with an expired police certificate, and
 * one who is no longer active. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "kiosk.h"
#include "store.h"
#include "visits.h"

const uint8_t demo_card_uid[DEMO_CARD_COUNT][DEMO_UID_LEN] = {
    {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x01},
    {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x02},
    {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x03},
    {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x04},
    {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x05}, /* not enrolled */
};

struct demo_person {
    const char *id, *given, *family;
    int active;
    const char *confidentiality, *police;
};

static const struct demo_person people[] = {
    {"D001", "Kari", "Nordmann", 1, "2024-03-01", "2027-06-30"},
    {"D002", "Ola", "Hansen", 1, "2023-09-12", ""},
    {"D003", "Bjørg Åshild Marie-Louise", "Kristoffersen-Bråthen", 1, "2025-01-20", "2028-01-01"},
    {"D004", "Åse", "Ødegård", 1, "", ""},
    {"D005", "Per Ivar", "Ærlig", 1, "2022-05-05", "2024-05-05"},
    {"D006", "André", "Sæther", 1, "2025-02-02", ""},
    {"D007", "Ingrid", "Løvås", 1, "2021-11-11", ""},
    {"D008", "Solveig", "Haugen", 1, "2020-08-15", ""},
    {"D009", "Astrid", "Berg", 1, "2024-10-10", ""},
    {"D010", "Knut", "Johansen", 1, "2023-04-04", ""},
    {"D011", "Liv", "Dahl", 1, "2022-02-22", ""},
    {"D012", "Jon", "Åberg", 1, "2025-06-06", ""},
    {"D013", "Marit", "Strand", 1, "2024-12-12", ""},
    {"D014", "Gunnar", "Lie", 0, "2019-01-01", ""},
};

struct demo_activity {
    int start_min, end_min;
    const char *title, *place;
};

static const struct demo_activity activities[] = {
    {9 * 60, 11 * 60, "Frokostklubb", "Kafeen, 1. etasje"},
    {13 * 60, 14 * 60 + 30, "Allsang", "Dagligstua"},
    {15 * 60, 16 * 60 + 30, "Turgruppe", "Møt i resepsjonen"},
    {22 * 60, 7 * 60, "Nattevakt", "Avdeling 2"},
};

int demo_populate(struct kiosk *kiosk, char *err, size_t errlen)
{
    const struct config *cfg = kiosk_config(kiosk);
    struct store *store;
    char day[11];
    if (store_open(cfg->database, &store, err, errlen))
        return -1;
    int rc = store_begin(store);
    for (size_t i = 0; !rc && i < sizeof people / sizeof people[0]; i++) {
        struct volunteer v = {0};
        int change;
        snprintf(v.external_id, sizeof v.external_id, "%s", people[i].id);
        snprintf(v.given_name, sizeof v.given_name, "%s", people[i].given);
        snprintf(v.family_name, sizeof v.family_name, "%s", people[i].family);
        v.active = people[i].active;
        snprintf(v.confidentiality_signed, sizeof v.confidentiality_signed, "%s",
                 people[i].confidentiality);
        snprintf(v.police_valid_until, sizeof v.police_valid_until, "%s", people[i].police);
        rc = store_volunteer_upsert(store, &v, 0, &change);
    }
    visits_local_day(clock_wall(kiosk_clock(kiosk)), day);
    for (size_t i = 0; !rc && i < sizeof activities / sizeof activities[0]; i++) {
        struct activity a = {0};
        snprintf(a.day, sizeof a.day, "%s", day);
        a.start_min = activities[i].start_min;
        a.end_min = activities[i].end_min;
        snprintf(a.title, sizeof a.title, "%s", activities[i].title);
        snprintf(a.place, sizeof a.place, "%s", activities[i].place);
        rc = store_activity_save(store, &a);
    }
    if (!rc)
        rc = store_commit(store);
    if (rc) {
        snprintf(err, errlen, "demo: %s", store_errmsg(store));
        store_rollback(store);
        store_close(store);
        return -1;
    }
    store_close(store);
    if (kiosk_reload_roster(kiosk)) {
        snprintf(err, errlen, "demo: %s", kiosk_errmsg(kiosk));
        return -1;
    }
    for (int card = 0; card < 4; card++) {
        struct volunteer v;
        if (kiosk_volunteer_by_external_id(kiosk, people[card].id, &v) != 0 ||
            kiosk_enroll_uid(kiosk, v.id, demo_card_uid[card], DEMO_UID_LEN) != 0) {
            snprintf(err, errlen, "demo: %s", kiosk_errmsg(kiosk));
            return -1;
        }
    }
    return 0;
}
