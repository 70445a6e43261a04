#!/usr/bin/python3
"""The central's web app in a real browser: headless Chromium driven by
Selenium against the real tilstede-central, with axe-core run on every page
(0 serious or critical findings), and screenshots at phone and desktop
width. Usage: test_web_browser.py BIN_DIR WORK_DIR"""
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.common.exceptions import (StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.support.ui import WebDriverWait

from web_browser import PageCheck, start_chromium

bin_dir, work = sys.argv[1], sys.argv[2]
central = os.path.join(bin_dir, "tilstede-central")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(os.path.join(work, "screenshots"))
env = dict(os.environ, TILSTEDE_CENTRAL_DB=os.path.join(work, "central.db"),
           ASAN_OPTIONS="detect_leaks=0")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
base = f"http://127.0.0.1:{port}"
env["TILSTEDE_CENTRAL_PUBLIC_URL"] = base


def run(*args):
    return subprocess.run([central, *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


run("site", "add", "solsiden", "--name", "Solsiden sykehjem", "--kind", "sykehjem")
run("site", "add", "fjellheim", "--name", "Fjellheim helsehus", "--kind", "helsehus")
kari_link = run("user", "add", "kari", "--role", "coordinator")
ola_link = run("user", "add", "ola", "--role", "contact", "--site", "solsiden")
server = subprocess.Popen([central, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                          stderr=open(os.path.join(work, "central.log"), "w"))

# Another origin, for the CSRF attempt: a page that posts to the central.
evil_port = free_port()


class Evil(BaseHTTPRequestHandler):
    def do_GET(self):
        page = (f'<!doctype html><form id="f" method="post" action="{base}/kiosks/add">'
                '<input name="site" value="solsiden"><input name="name" value="evil">'
                '</form><script>document.getElementById("f").submit()</script>')
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


evil = HTTPServer(("127.0.0.1", evil_port), Evil)
threading.Thread(target=evil.serve_forever, daemon=True).start()

driver = start_chromium(work)
check = PageCheck(driver, work)
failures, checked = check.failures, check.checked


def wait_url(url):
    """The URL once the form's redirect has landed (up to 5 s)."""
    for _ in range(50):
        if driver.current_url.startswith(url):
            break
        time.sleep(0.1)
    return driver.current_url


def expect(condition, what):
    if not condition:
        failures.append(what)


def submit(form_action):
    driver.find_element(By.CSS_SELECTOR, f'form[action="{form_action}"] button').click()


def set_up(link, password):
    driver.get(link)
    check("setup")
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "again").send_keys(password)
    submit("/setup")


def sign_in(name, password):
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    submit("/login")


MONTHS_NB = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
             "september", "oktober", "november", "desember"]
DAYS_NB = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


def day_nb(day):
    return f"{DAYS_NB[day.weekday()]} {day.day}. {MONTHS_NB[day.month - 1]}"


def set_value(element_id, value):
    """A date or time input's value, as the browser's own picker sets it."""
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def click_and_wait(element):
    """Clicks a form's button and waits for the next page (the URL may not
    change: a form that returns to the same week)."""
    element.click()
    WebDriverWait(driver, 10).until(gone(element))


def gone(element):
    """Like selenium's staleness_of, but a node Chromium has already dropped
    from the document while being asked about it counts as gone too: its
    inspector then answers "does not belong to the document" rather than
    "stale element" (seen in CI with Chromium 156)."""
    def predicate(_):
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    return predicate


def plan_in_browser(site, title, days, start, end, first, last):
    driver.find_element(By.ID, "title").send_keys(title)
    for day in days:
        driver.find_element(By.CSS_SELECTOR, f'input[name="day"][value="{day}"]').click()
    set_value("start", start)
    set_value("end", end)
    set_value("from", first.isoformat())
    set_value("until", last.isoformat())
    click_and_wait(driver.find_element(By.CSS_SELECTOR,
                                       f'form[action="/activities/{site}/plan"] button'))


def kiosk_day(ctl, day):
    return subprocess.run([*ctl, "activities", day.isoformat()], check=True, capture_output=True,
                          text=True, env=dict(env, TZ="Europe/Oslo")).stdout


def activities_browser(base):
    today = datetime.datetime.now(ZoneInfo("Europe/Oslo")).date()
    monday = today - datetime.timedelta(days=today.weekday())
    next_monday = monday + datetime.timedelta(days=7)
    driver.get(base + "/activities")
    expect(wait_url(base + "/activities/solsiden") == base + "/activities/solsiden",
           "a one-site contact goes to their site's week")
    expect(day_nb(monday) in driver.page_source, "the week starts on Monday, in Norwegian")
    check("activities-week")
    plan_in_browser("solsiden", "Sangstund", ["tue", "thu"], "11:00", "12:00", monday,
                    monday + datetime.timedelta(days=27))
    expect("Aktiviteten er planlagt: 8 ganger" in driver.page_source, "eight occurrences planned")
    plan_in_browser("solsiden", "Nattevakt", ["fri"], "22:00", "07:00", monday,
                    monday + datetime.timedelta(days=27))
    expect("22.00–07.00 (til neste dag)" in driver.page_source, "the night watch ends next day")
    check("activities-planned")
    # Next week: Thursday's Sangstund cancelled.
    click_and_wait(driver.find_element(By.LINK_TEXT, "Neste uke →"))
    thursday = next_monday + datetime.timedelta(days=3)
    click_and_wait(driver.find_element(
        By.CSS_SELECTOR, f'button[aria-label="Avlys Sangstund {day_nb(thursday)}"]'))
    expect("Avlyst" in driver.page_source, "the cancelled occurrence is shown as cancelled")
    check("activities-cancelled")
    # The calendar: Bingo every Wednesday from next week, the week after
    # taken out (EXDATE), and a monthly event the import refuses.
    wednesday = next_monday + datetime.timedelta(days=2)
    skipped = wednesday + datetime.timedelta(days=7)
    stamp = lambda day, clock: day.strftime("%Y%m%d") + "T" + clock
    ics = os.path.join(work, "aktiviteter.ics")
    with open(ics, "w", newline="") as f:
        f.write("\r\n".join([
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Microsoft Corporation//Outlook 16.0 "
            "MIMEDIR//EN", "BEGIN:VEVENT", "UID:bingo@solsiden.example",
            "DTSTAMP:20261125T093000Z", "DTSTART;TZID=Europe/Oslo:" + stamp(wednesday, "140000"),
            "DTEND;TZID=Europe/Oslo:" + stamp(wednesday, "153000"),
            "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Oslo:" + stamp(skipped, "140000"),
            "SUMMARY;LANGUAGE=nb:Bingo", "LOCATION:Kafeen", "END:VEVENT",
            "BEGIN:VEVENT", "UID:bursdag@solsiden.example", "DTSTAMP:20261125T093000Z",
            "DTSTART;TZID=Europe/Oslo:" + stamp(wednesday, "100000"),
            "DTEND;TZID=Europe/Oslo:" + stamp(wednesday, "110000"),
            "RRULE:FREQ=MONTHLY;BYDAY=1WE", "SUMMARY:Bursdagsfeiring", "END:VEVENT",
            "END:VCALENDAR", ""]))
    driver.get(base + "/activities/solsiden")
    driver.find_element(By.ID, "file").send_keys(ics)
    click_and_wait(driver.find_element(By.CSS_SELECTOR,
                                       'form[action="/activities/solsiden/import"] button'))
    expect("Hendelser i filen: 2. Nye: 1." in driver.page_source, "the import adds the weekly event")
    expect("«Bursdagsfeiring» ble ikke importert: den gjentas månedlig" in driver.page_source,
           "the monthly event is refused by name, in Norwegian")
    check("activities-imported")
    driver.get(f"{base}/activities/solsiden?week={next_monday.isoformat()}")
    expect("14.00–15.30" in driver.page_source and "Bingo" in driver.page_source,
           "the imported event is in its week")
    check("activities-week-imported")

    # A real kiosk of the site syncs and lists them on the right days.
    token = run("device", "add", "solsiden", "--name", "Inngang")
    kiosk = os.path.join(work, "kiosk")
    os.makedirs(kiosk)
    with open(os.path.join(kiosk, "device.token"), "w") as f:
        f.write(token + "\n")
    os.chmod(os.path.join(kiosk, "device.token"), 0o600)
    with open(os.path.join(kiosk, "kiosk.conf"), "w") as f:
        f.write(f"[site]\nid = solsiden\nname = Solsiden sykehjem\n[reader]\nconnection = sim\n"
                f"[store]\ndatabase = {kiosk}/kiosk.db\ncard_key = {kiosk}/card.key\n"
                f"[clock]\ntrust = always\n[sync]\ncentral_url = {base}\n"
                f"token_file = {kiosk}/device.token\n")
    ctl = [os.path.join(bin_dir, "tilstedectl"), "--config", os.path.join(kiosk, "kiosk.conf")]
    subprocess.run([*ctl, "sync"], check=True, capture_output=True, env=dict(env, TZ="Europe/Oslo"))
    tuesday = next_monday + datetime.timedelta(days=1)
    friday = next_monday + datetime.timedelta(days=4)
    expect("Sangstund" in kiosk_day(ctl, tuesday), "the kiosk has Sangstund on Tuesday")
    expect("Sangstund" not in kiosk_day(ctl, thursday), "the cancelled Thursday is not on the kiosk")
    expect("Sangstund" not in kiosk_day(ctl, wednesday), "no Sangstund on a Wednesday")
    bingo = kiosk_day(ctl, wednesday)
    expect("Bingo" in bingo and "14:00" in bingo, "the imported Bingo on Wednesday at 14:00")
    expect("Bingo" not in kiosk_day(ctl, skipped), "the EXDATE Wednesday has no Bingo")
    night = kiosk_day(ctl, friday)
    expect("Nattevakt" in night and "22:00" in night and "07:00" in night,
           "the night watch on Friday 22:00-07:00")
    expect("Bursdagsfeiring" not in kiosk_day(ctl, wednesday), "the refused event reaches no kiosk")
    # Another site's week, by URL: refused.
    driver.get(base + "/activities/fjellheim")
    expect("Ingen tilgang" in driver.page_source, "the contact cannot open another site's week")


# Words that give a page away as bokmål when it should be nynorsk, or as
# Norwegian when it should be English (the names of sites and volunteers in
# this test hold none of them).
TELLTALES = {
    "nn": ["ikke", "Hvem", "Brukere", "Enhet", "Tilbake", "Notater", "hendelser", "Uke "],
    "en": ["ikke", "Frivillig", "Enhet", "Lagre", "Ingen", " kl. ", "Timer", "Søk", "Besøk"],
}


def languages_browser(base):
    """The coordinator's pages in nynorsk, English and bokmål, as chosen on
    their own page: each checked by axe-core and photographed, with no word
    of the wrong language left on it."""
    sign_in("kari", "kari-passord-1")
    wait_url(base + "/here")
    pages = ["/", "/here", "/here/solsiden", "/volunteers", "/volunteers/F-1042", "/roster",
             "/activities/solsiden", "/users", "/audit", "/kiosks", "/reports", "/year",
             "/review"]
    # Bokmål, the default, is every other check's language: back to it,
    # with two pages to show it.
    for lang, shown in [("nn", pages), ("en", pages), ("nb", ["/", "/volunteers/F-1042"])]:
        driver.get(base + "/me")
        driver.find_element(By.CSS_SELECTOR, f'input[name="lang"][value="{lang}"]').click()
        click_and_wait(driver.find_element(By.CSS_SELECTOR, 'form[action="/me"] button'))
        for path in shown:
            driver.get(base + path)
            html_lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
            expect(html_lang == lang, f"{path} in {lang} says lang={html_lang}")
            text = driver.find_element(By.TAG_NAME, "body").text
            for word in TELLTALES.get(lang, []):
                expect(word not in text, f"{path} in {lang} still says {word!r}")
            name = path.strip("/").replace("/", "-") or "dashboard"
            check(f"lang-{lang}-{name}")


def review_browser(base):
    """What needs review (issue 14, 2): the kiosk closed a visit of Per's
    yesterday by its rules (he forgot to check out); the coordinator sets
    the real end in the browser, and the site's kiosks can fetch it; a
    contact cannot open another site's list."""
    token = run("device", "add", "solsiden", "--name", "Korridor")
    oslo = ZoneInfo("Europe/Oslo")
    yesterday = datetime.datetime.now(oslo).date() - datetime.timedelta(days=1)
    came = datetime.datetime.combine(yesterday, datetime.time(9, 0), oslo)
    utc = lambda t: t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    checkin = {"event_id": str(uuid.uuid4()), "kind": "checkin", "volunteer": "F-2000",
               "at": utc(came), "recorded_at": utc(came), "monotonic_us": 1000,
               "boot_id": str(uuid.uuid4()), "clock_synced": True, "source": "card",
               "activity": None, "corrects": None, "card_hash": None, "review": False}
    closed = came + datetime.timedelta(hours=10)
    autoclose = dict(checkin, event_id=str(uuid.uuid4()), kind="autoclose", source="automatic",
                     at=utc(closed), recorded_at=utc(closed))
    request = urllib.request.Request(base + "/v1/events", method="POST",
                                     data=json.dumps({"events": [checkin, autoclose]}).encode(),
                                     headers={"Authorization": "Bearer " + token,
                                              "Content-Type": "application/json"})
    expect(urllib.request.urlopen(request).status == 200, "the auto-closed visit is uploaded")
    sign_in("kari", "kari-passord-1")
    wait_url(base + "/here")
    driver.find_element(By.LINK_TEXT, "Til gjennomgang").click()
    wait_url(base + "/review")
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-event="{autoclose["event_id"]}"]')
    expect("Per Fjell" in row.text and "19.00" in row.text,
           "the review list shows Per's visit, closed at 19.00")
    check("review")
    set_value("date-" + autoclose["event_id"], yesterday.isoformat())
    set_value("time-" + autoclose["event_id"], "12:30")
    click_and_wait(row.find_element(By.TAG_NAME, "button"))
    expect(wait_url(base + "/review?done=1") == base + "/review?done=1", "back to the list")
    expect("Sluttiden er lagret" in driver.page_source, "the end is saved")
    expect(autoclose["event_id"] not in driver.page_source, "the visit is off the list")
    check("review-corrected")
    request = urllib.request.Request(base + "/v1/corrections",
                                     headers={"Authorization": "Bearer " + token})
    corrections = json.load(urllib.request.urlopen(request))["events"]
    ended = datetime.datetime.combine(yesterday, datetime.time(12, 30), oslo)
    expect([(c["corrects"], c["at"]) for c in corrections] == [(autoclose["event_id"], utc(ended))],
           "the site's kiosks fetch the correction, 12.30 yesterday")
    driver.get(base + "/audit")
    expect("visit end correct" in driver.page_source, "the audit log shows the correction")
    sign_in("ola", "ola-passord-12")
    wait_url(base + "/here")
    driver.get(base + "/review")
    expect("Solsiden sykehjem" in driver.page_source and "Fjellheim" not in driver.page_source,
           "the contact's review list has their site only")
    driver.get(base + "/review/fjellheim")
    expect("Ingen tilgang" in driver.page_source, "the contact cannot open another site's list")


try:
    for _ in range(50):
        try:
            urllib.request.urlopen(base + "/v1/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    driver.get(base + "/login")
    check("login")
    set_up(kari_link, "kari-passord-1")
    expect(wait_url(base + "/here").startswith(base + "/here"), "coordinator lands on who is here")
    check("here-sites")
    # The dashboard: behind the same sign-in, no HTTP Basic of its own.
    driver.get(base + "/")
    expect("Frivillige timer" in driver.page_source, "the signed-in coordinator sees the dashboard")
    check("dashboard")

    # Add a kiosk: its token shown once, in the command to paste.
    driver.get(base + "/kiosks")
    check("kiosks")
    driver.find_element(By.CSS_SELECTOR, '#site option[value="solsiden"]').click()
    driver.find_element(By.ID, "kname").send_keys("Resepsjonen")
    submit("/kiosks/add")
    wait_url(base + "/kiosks/add")
    command = driver.find_element(By.CSS_SELECTOR, "pre.command").text
    expect("tilstedectl --config /etc/tilstede/tilstede.conf provision --central " + base
           in command, "the provision command names the central")
    check("kiosk-added")
    token = command.rsplit(" ", 1)[1]

    # The kiosk uploads a check-in, as its uploader does.
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    event = {"event_id": str(uuid.uuid4()), "kind": "checkin", "volunteer": "F-1042", "at": now,
             "recorded_at": now, "monotonic_us": 1000, "boot_id": str(uuid.uuid4()),
             "clock_synced": True, "source": "card", "activity": None, "corrects": None,
             "card_hash": None, "review": False}
    card_hash = "c0ffee" * 10 + "a1b2"
    enrolled = dict(event, event_id=str(uuid.uuid4()), kind="card_enrolled", source="staff",
                    card_hash=card_hash)
    request = urllib.request.Request(base + "/v1/events", method="POST",
                                     data=json.dumps({"events": [enrolled, event]}).encode(),
                                     headers={"Authorization": "Bearer " + token,
                                              "Content-Type": "application/json"})
    expect(urllib.request.urlopen(request).status == 200, "the kiosk's upload is taken")

    # A CSRF attempt from another origin: refused, nothing added.
    driver.get(f"http://127.0.0.1:{evil_port}/")
    time.sleep(1)
    expect("evil" not in run("device", "list"), "a form from another origin adds no kiosk")

    # The volunteers: search, a volunteer's page, a lost card revoked.
    # The roster from Excel: first with a bad row (a date that names no
    # day), seen in the preview and not applicable; then fixed, applied.
    header = "Frivillig-ID;Fornavn;Etternavn;Taushetserklæring;Politiattest gyldig til\r\n"
    rows = "F-1042;Åse;Nordmann;12.01.2026;31.12.2027\r\nF-2000;Per;Fjell;;\r\n"
    bad_file, good_file = os.path.join(work, "feil.csv"), os.path.join(work, "frivillige.csv")
    with open(bad_file, "wb") as f:
        f.write((header + rows + "F-3000;Ola;Dahl;31.02.2026;\r\n"
                 "F-4000;Kari;Lie;signert-etter-sommerferien-kanskje-i-august;\r\n")
                .encode("cp1252"))
    with open(good_file, "wb") as f:
        f.write((header + rows).encode("cp1252"))
    driver.get(base + "/roster")
    check("roster-upload")
    driver.find_element(By.ID, "file").send_keys(bad_file)
    submit("/roster/preview")
    wait_url(base + "/roster/preview")
    expect("Linje 4" in driver.page_source, "the preview names the bad row's line")
    expect(not driver.find_elements(By.CSS_SELECTOR, 'form[action="/roster/apply"]'),
           "a file with a bad row cannot be applied")
    check("roster-preview-bad-row")
    # At a small phone's width the bad rows stack: no sideways scrollbar,
    # on the page or in the table's own box, even with a long bad value.
    driver.set_window_size(360, 900)
    sideways = driver.execute_script(
        "const d = document.documentElement;"
        "const boxes = [d, ...document.querySelectorAll('.wide')];"
        "return boxes.filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)"
        ".concat([...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > d.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + ' right ' + e.getBoundingClientRect().right))"
        ".slice(0, 8)")
    expect(not sideways, f"the bad-row preview scrolls sideways at 360 px: {sideways}")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(360, min(max(height + 140, 900), 6000))
    driver.save_screenshot(f"{work}/screenshots/roster-preview-bad-row-360.png")
    driver.set_window_size(1280, 900)
    driver.get(base + "/roster")
    driver.find_element(By.ID, "file").send_keys(good_file)
    submit("/roster/preview")
    wait_url(base + "/roster/preview")
    expect("<strong>2</strong> blir lagt til" in driver.page_source, "the preview counts two new")
    check("roster-preview")
    submit("/roster/apply")
    wait_url(base + "/roster/apply")
    expect("Frivilliglisten er oppdatert" in driver.page_source, "the roster is applied")
    check("roster-applied")
    driver.get(base + "/volunteers")
    check("volunteers")
    driver.find_element(By.ID, "q").send_keys("åse")
    driver.find_element(By.CSS_SELECTOR, 'form.filters button').click()
    time.sleep(0.3)
    expect("Per Fjell" not in driver.page_source, "the search leaves out the others")
    driver.find_element(By.LINK_TEXT, "Åse Nordmann").click()
    wait_url(base + "/volunteers/F-1042")
    expect("signert 12.01.2026" in driver.page_source, "the page shows the agreement's date")
    expect("Solsiden sykehjem" in driver.page_source, "the page lists the visit")
    check("volunteer")
    driver.find_element(By.CSS_SELECTOR, "a.button").click()
    check("card-revoke-confirm")
    driver.find_element(By.CSS_SELECTOR, "button.danger").click()
    wait_url(base + "/volunteers/F-1042?done=card")
    expect("Kortet er sperret" in driver.page_source, "the card is revoked")
    check("volunteer-card-revoked")
    request = urllib.request.Request(base + "/v1/roster", headers={"Authorization": "Bearer " + token})
    cards = json.load(urllib.request.urlopen(request))["cards"]
    expect([c["revoked"] for c in cards if c["card_hash"] == card_hash] == [True],
           "the kiosk's roster has the card revoked")

    driver.get(base + "/users")
    check("users")
    driver.get(base + "/me")
    check("me")
    driver.get(base + "/audit")
    expect("kiosk add" in driver.page_source, "the audit log shows the kiosk added")
    check("audit")

    # The opening hours, set on the kiosks page: Monday to Friday as
    # ticked, 08.00 to 16.00, for the first site.
    driver.get(base + "/kiosks")
    set_value("hstart", "08:00")
    set_value("hend", "16:00")
    click_and_wait(driver.find_element(By.CSS_SELECTOR, 'form[action="/kiosks/hours"] button'))
    expect("man, tir, ons, tor, fre 08.00–16.00" in driver.page_source,
           "the kiosks page shows the hours set")
    check("kiosks-hours")

    # Revoke the kiosk.
    driver.get(base + "/kiosks")
    submit("/kiosks/revoke")
    time.sleep(0.5)
    expect("Resepsjonen" not in driver.find_element(By.TAG_NAME, "tbody").text,
           "the revoked kiosk is gone from the list")

    # The contact: their own site, never another's by URL.
    set_up(ola_link, "ola-passord-12")
    expect(wait_url(base + "/here/solsiden") == base + "/here/solsiden",
           "a one-site contact lands on it")
    expect("Åse Nordmann" in driver.page_source, "who is here lists the uploaded check-in")
    check("here-solsiden")
    driver.get(base + "/here/fjellheim")
    expect("Ingen tilgang" in driver.page_source, "the contact cannot open another site")
    check("forbidden")
    driver.get(base + "/users")
    expect("Ingen tilgang" in driver.page_source, "the contact cannot open the accounts")
    driver.get(base + "/volunteers")
    expect("Åse Nordmann" in driver.page_source and "Per Fjell" not in driver.page_source,
           "the contact's list has their site's volunteers only")
    check("volunteers-contact")
    driver.get(base + "/volunteers/F-2000")
    expect("Fant ikke" in driver.page_source and "Fjell" not in driver.page_source,
           "the contact cannot open another volunteer by URL")
    sign_in("ola", "feil-passord")
    time.sleep(0.5)
    expect("Feil brukernavn eller passord" in driver.page_source, "a wrong password is refused")
    check("login-refused")
    sign_in("ola", "ola-passord-12")
    expect(wait_url(base + "/here/solsiden") == base + "/here/solsiden",
           "the contact signs in again")

    # Activities (issue 13, 3): the contact plans weekly activities and
    # imports the service's calendar in the browser; a real kiosk
    # (tilstedectl sync) then lists them on the right days only.
    activities_browser(base)
    review_browser(base)
    languages_browser(base)
finally:
    driver.quit()
    evil.shutdown()
    server.terminate()
    server.wait(10)

print(f"checked with axe-core: {', '.join(checked)}")
print(f"screenshots in {work}/screenshots")
for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
