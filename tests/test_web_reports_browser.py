#!/usr/bin/python3
"""The central's reports in a real browser: headless Chromium driven by
Selenium against the real tilstede-central, as the coordinator and as a
site's contact. Each report page, a drill-down from a service area to a
volunteer's visits, the CSV and the workbook reached from the page's links
(the workbook read back with openpyxl: every cell equals the page), the
annual report and a volunteer's statement (printed to PDF by Chromium: one
A4 page), axe-core on every page (0 serious or critical findings), nothing
wider than a phone, and screenshots at phone and desktop width and as
printed. Usage: test_web_reports_browser.py BIN_DIR WORK_DIR"""
import base64
import csv
import datetime
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import openpyxl
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from web_browser import PageCheck, start_chromium

YEAR = "2026"
bin_dir, work = sys.argv[1], sys.argv[2]
central = os.path.join(bin_dir, "tilstede-central")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(os.path.join(work, "screenshots"))
env = dict(os.environ, TILSTEDE_CENTRAL_DB=os.path.join(work, "central.db"),
           ASAN_OPTIONS="detect_leaks=0", TZ="Europe/Oslo")
failures, checked = [], []


def expect(condition, what):
    if not condition:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args):
    return subprocess.run([central, *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


port = free_port()
base = f"http://127.0.0.1:{port}"
env["TILSTEDE_CENTRAL_PUBLIC_URL"] = base

# Three sites in two service areas, a coordinator and Solsiden's contact.
run("site", "add", "solsiden", "--name", "Solsiden sykehjem", "--kind", "sykehjem")
run("site", "add", "fjellheim", "--name", "Fjellheim helsehus", "--kind", "helsehus")
run("site", "add", "huset", "--name", "Aktivitetshuset Brygga", "--kind", "aktivitetshus")
kari_link = run("user", "add", "kari", "--role", "coordinator", "--full-name", "Kari Lund")
ola_link = run("user", "add", "ola", "--role", "contact", "--site", "solsiden")
roster = os.path.join(work, "frivillige.csv")
with open(roster, "wb") as f:
    f.write(("Frivillig-ID;Fornavn;Etternavn;Taushetserklæring;Politiattest gyldig til\r\n"
             "F-1;Åse;Nordmann;12.01.2026;31.12.2027\r\nF-2;Per;Fjell;;\r\n"
             "F-3;Kari-Mette;Østby-Halvorsen;01.02.2026;\r\n").encode("cp1252"))
run("roster", "import", roster)
tokens = {site: run("device", "add", site, "--name", "Inngang")
          for site in ("solsiden", "fjellheim", "huset")}
server = subprocess.Popen([central, "serve", "--listen", f"127.0.0.1:{port}", "--municipality",
                           "Testby kommune"], env=env,
                          stderr=open(os.path.join(work, "central.log"), "w"))


def upload(site, volunteer, start, minutes):
    """A check-in and its check-out, as the site's kiosk uploads them."""
    start_s = time.mktime(time.strptime(start, "%Y-%m-%d %H:%M"))
    events = []
    for kind, at in (("checkin", start_s), ("checkout", start_s + minutes * 60)):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(at))
        events.append({"event_id": str(uuid.uuid4()), "kind": kind, "volunteer": volunteer,
                       "at": stamp, "recorded_at": stamp, "monotonic_us": 1000,
                       "boot_id": str(uuid.uuid4()), "clock_synced": True, "source": "card",
                       "activity": None, "corrects": None, "card_hash": None, "review": False})
    request = urllib.request.Request(base + "/v1/events", method="POST",
                                     data=json.dumps({"events": events}).encode(),
                                     headers={"Authorization": "Bearer " + tokens[site],
                                              "Content-Type": "application/json"})
    expect(urllib.request.urlopen(request).status == 200, f"the upload of {volunteer} is taken")


driver = start_chromium(work)
check = PageCheck(driver, work)
check.failures, check.checked = failures, checked


def printed(name):
    """The page printed to PDF as the browser's print dialog does (A4, the
    page's own @page rules), and a screenshot with the print style sheet.
    Returns the number of pages."""
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True,
                                                     "printBackground": True})
    data = base64.b64decode(pdf["data"])
    with open(f"{work}/screenshots/{name}.pdf", "wb") as f:
        f.write(data)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    # A4 at 96 dpi: 794 x 1123 CSS pixels.
    driver.set_window_size(794, 1123)
    driver.save_screenshot(f"{work}/screenshots/{name}-print.png")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    driver.set_window_size(1280, 900)
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    if b"/MediaBox [0 0 595" not in data and b"/MediaBox [0 0 594" not in data:
        failures.append(f"{name}: the PDF is not A4")
    return pages


def wait_url(url):
    for _ in range(50):
        if driver.current_url.startswith(url):
            break
        time.sleep(0.1)
    return driver.current_url


def set_up(link, password):
    driver.delete_all_cookies()
    driver.get(link)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "again").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, 'form[action="/setup"] button').click()
    wait_url(base + "/here")


def fetch(href):
    """A download the page links, with the browser's session."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    url = href if href.startswith("http") else base + href
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def table(table_id):
    """The page's table as rows of cell texts, the sum row last."""
    rows = []
    for row in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr, #{table_id} tfoot tr"):
        cells = row.find_elements(By.CSS_SELECTOR, "th, td")
        first = cells[0].find_elements(By.TAG_NAME, "a")
        label = first[0].text if first else cells[0].text
        rows.append([label] + [c.text for c in cells[1:]])
    return rows


def decimal(value, places):
    """A number as the page writes it: decimal comma, thousands with a space."""
    text = f"{value:,.{places}f}".replace(",", " ").replace(".", ",")
    return text


def same_as_page(page_rows, book, what):
    """Every cell of the workbook's sheet equals the page's table."""
    sheet = book.worksheets[0]
    width = len(page_rows[0])
    book_rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    expect(len(book_rows) == len(page_rows),
           f"{what}: the workbook has {len(book_rows)} rows, the page {len(page_rows)}")
    for page_row, book_row in zip(page_rows, book_rows):
        text_cells = width - 3
        for i in range(text_cells):
            expect((book_row[i] or "") == page_row[i], f"{what}: {book_row[i]!r} != {page_row[i]!r}")
        hours, arsverk, visits = book_row[text_cells:text_cells + 3]
        for value in (hours, arsverk, visits):
            expect(isinstance(value, (int, float)), f"{what}: {value!r} is not a number")
        expect(decimal(hours, 1) == page_row[text_cells].replace("\u00a0", " "),
               f"{what}: hours {hours} != {page_row[text_cells]!r}")
        expect(decimal(arsverk, 2) == page_row[text_cells + 1].replace("\u00a0", " "),
               f"{what}: årsverk {arsverk} != {page_row[text_cells + 1]!r}")
        expect(str(int(visits)) == page_row[text_cells + 2],
               f"{what}: visits {visits} != {page_row[text_cells + 2]!r}")


def page_time(text, day):
    """ "12.11.2026 kl. 12.00", or "kl. 14.00" on the day given, as a datetime."""
    if text.startswith("kl. "):
        text = day + " " + text
    return datetime.datetime.strptime(text, "%d.%m.%Y kl. %H.%M")


def same_visits_as_page(page_rows, book, data, what):
    """The visits' workbook and CSV hold the page's table, cell by cell:
    the times as dates, the hours as numbers with the page's figure."""
    sheet = book.worksheets[0]
    book_rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    lines = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))
    expect(data.startswith(b"\xef\xbb\xbf"), f"{what}: the CSV starts with a BOM")
    expect(len(book_rows) == len(page_rows) == len(lines) - 1,
           f"{what}: workbook {len(book_rows)}, CSV {len(lines) - 1}, page {len(page_rows)} rows")
    expect(sheet.freeze_panes == "A3", f"{what}: the headings stay")
    for i, (page_row, book_row, line) in enumerate(zip(page_rows, book_rows, lines[1:])):
        came, site, left, activity, hours = page_row
        last = i == len(page_rows) - 1
        if last:
            expect(book_row[0] == line[0] == came == "Sum", f"{what}: the sum row")
        else:
            day = came[:10]
            expect(book_row[0] == page_time(came, day), f"{what}: came {book_row[0]} != {came}")
            expect(book_row[2] == page_time(left, day), f"{what}: left {book_row[2]} != {left}")
            expect(line[0] == book_row[0].strftime("%d.%m.%Y %H:%M") and
                   line[2] == book_row[2].strftime("%d.%m.%Y %H:%M"), f"{what}: CSV times {line}")
            expect((book_row[1] or "") == line[1] == site, f"{what}: site {book_row[1]!r}")
            expect((book_row[3] or "") == line[3] == activity, f"{what}: activity {book_row[3]!r}")
        value = book_row[4]
        expect(isinstance(value, (int, float)), f"{what}: hours {value!r} is not a number")
        expect(decimal(value, 1) == hours.replace("\u00a0", " "), f"{what}: {value} != {hours!r}")
        expect(line[4] == decimal(value, 2).replace(" ", ""), f"{what}: CSV hours {line[4]}")


def same_csv_as_page(page_rows, data, what):
    expect(data.startswith(b"\xef\xbb\xbf"), f"{what}: the CSV starts with a BOM")
    expect(b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), f"{what}: CRLF lines")
    lines = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))
    expect(len(lines) - 1 == len(page_rows), f"{what}: CSV rows {len(lines) - 1} != page")
    for line, page_row in zip(lines[1:], page_rows):
        hours = float(line[-3].replace(",", "."))
        expect(decimal(hours, 1) == page_row[-3].replace("\u00a0", " "),
               f"{what}: CSV hours {line[-3]} != page {page_row[-3]!r}")
        expect("," in line[-3], f"{what}: decimal comma in {line[-3]}")


try:
    for _ in range(50):
        try:
            urllib.request.urlopen(base + "/v1/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    # Visits through the year: Åse at Solsiden and at Fjellheim, Per at
    # Fjellheim, Kari-Mette at the activity house; one in the year before.
    upload("solsiden", "F-1", f"{YEAR}-02-03 10:00", 150)
    upload("solsiden", "F-1", f"{YEAR}-11-10 10:00", 90)
    upload("fjellheim", "F-1", f"{YEAR}-11-12 12:00", 120)
    upload("fjellheim", "F-2", f"{YEAR}-05-20 09:00", 240)
    upload("huset", "F-3", f"{YEAR}-06-02 18:00", 180)
    upload("huset", "F-3", f"{YEAR}-10-14 18:00", 60)
    upload("solsiden", "F-2", "2025-12-01 10:00", 600)

    # The coordinator: the reports for the year, by service area.
    set_up(kari_link, "kari-passord-1")
    driver.get(base + "/reports")
    expect("Helsehus og sykehjem" in driver.page_source, "the first report is by service area")
    check("reports-kind")
    # Every grouping through the form, for the year.
    for by in ("site", "activity", "month", "volunteer", "kind"):
        driver.get(base + "/reports")
        Select(driver.find_element(By.ID, "rperiod")).select_by_value("year")
        year = driver.find_element(By.ID, "ryear")
        year.clear()
        year.send_keys(YEAR)
        Select(driver.find_element(By.ID, "rby")).select_by_value(by)
        driver.find_element(By.CSS_SELECTOR, 'form.filters button').click()
        wait_url(base + "/reports?")
        expect(f"by={by}" in driver.current_url, f"the form asks for by={by}")
        check(f"reports-form-{by}")
    rows = table("report")
    expect(rows[-1][0] == "Sum" and rows[-1][1].replace("\u00a0", " ") == "14,0",
           f"the year's sum is 14,0 hours, not {rows[-1]}")
    # A month, a quarter and a range.
    driver.get(f"{base}/reports?period=month&year={YEAR}&month=11&by=site")
    expect(table("report")[-1][2].replace("\u00a0", " ") == "3,5", "November: 3,5 hours")
    check("reports-november")
    driver.get(f"{base}/reports?period=quarter&year={YEAR}&quarter=2&by=month")
    expect([r[0] for r in table("report")] == [f"mai {YEAR}", f"juni {YEAR}", "Sum"],
           "the second quarter has May and June")
    driver.get(f"{base}/reports?period=range&from=2025-12-01&to={YEAR}-01-31&by=volunteer")
    expect("F-2" in driver.page_source and "F-1" not in driver.page_source,
           "a range over the new year holds December's visit only")
    check("reports-range")

    # Down: the area, its sites, a site's activities and volunteers, a
    # volunteer's visits.
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=kind")
    driver.find_element(By.LINK_TEXT, "Helsehus og sykehjem").click()
    wait_url(base + "/reports?")
    expect("area=helsehus_sykehjem" in driver.current_url, "the area opens its sites")
    names = [r[0] for r in table("report")]
    expect(names == ["Fjellheim helsehus", "Solsiden sykehjem", "Sum"],
           f"the area's sites: {names}")
    check("drill-area")
    driver.find_element(By.LINK_TEXT, "Fjellheim helsehus").click()
    wait_url(base + "/reports?")
    expect("by=activity" in driver.current_url and "site=fjellheim" in driver.current_url,
           "a site opens its activities")
    check("drill-site-activities")
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=site&area=helsehus_sykehjem")
    driver.find_element(By.CSS_SELECTOR, 'a.also[href*="site=fjellheim"]').click()
    wait_url(base + "/reports?")
    names = [r[0] for r in table("report")]
    expect(names == ["F-2", "F-1", "Sum"], f"Fjellheim's volunteers, most hours first: {names}")
    check("drill-site-volunteers")
    driver.find_element(By.LINK_TEXT, "F-1").click()
    wait_url(base + "/reports?")
    expect("12.11." + YEAR in driver.page_source and "10.11." + YEAR not in driver.page_source,
           "Åse's visits at Fjellheim only")
    check("drill-volunteer-visits")
    # Their visits as files, from the page's links: every cell the page's.
    page_rows = table("visits")
    href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.csv"]').get_attribute("href")
    expect("by=visits" in href and "site=fjellheim" in href, f"the visits' CSV link: {href}")
    status, headers, csv_data = fetch(href)
    expect(status == 200 and headers["Content-Type"].startswith("text/csv"),
           "the visits' CSV downloads")
    href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.xlsx"]').get_attribute("href")
    status, headers, data = fetch(href)
    expect(status == 200 and "besok-F-1-" in headers["Content-Disposition"],
           "the visits' workbook downloads")
    with open(f"{work}/visits-F-1.xlsx", "wb") as f:
        f.write(data)
    same_visits_as_page(page_rows, openpyxl.load_workbook(io.BytesIO(data)), csv_data,
                        "Åse's visits at Fjellheim")
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=visits&volunteer=F-1")
    page_rows = table("visits")
    expect(len(page_rows) == 4, f"Åse's three visits and the sum: {page_rows}")
    _, _, csv_data = fetch(driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.csv"]')
                           .get_attribute("href"))
    _, _, data = fetch(driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.xlsx"]')
                       .get_attribute("href"))
    same_visits_as_page(page_rows, openpyxl.load_workbook(io.BytesIO(data)), csv_data,
                        "Åse's visits")

    # The downloads, from the links of the page: the CSV as Excel in
    # Norway reads it, and the workbook whose every cell equals the page.
    for by in ("site", "volunteer", "month"):
        driver.get(f"{base}/reports?period=year&year={YEAR}&by={by}")
        page_rows = table("report")
        href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.csv"]').get_attribute("href")
        status, headers, data = fetch(href)
        expect(status == 200 and headers["Content-Type"].startswith("text/csv"),
               f"the CSV by {by} downloads")
        same_csv_as_page(page_rows, data, f"CSV by {by}")
        href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.xlsx"]').get_attribute("href")
        status, headers, data = fetch(href)
        expect(status == 200 and "attachment" in headers["Content-Disposition"],
               f"the workbook by {by} downloads")
        with open(f"{work}/report-{by}.xlsx", "wb") as f:
            f.write(data)
        book = openpyxl.load_workbook(io.BytesIO(data))
        same_as_page(page_rows, book, f"workbook by {by}")
        expect(book.worksheets[0].freeze_panes == "A3", f"workbook by {by}: headings stay")

    # The annual report, on screen and on A4.
    driver.get(f"{base}/year?year={YEAR}")
    sentences = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#annual li")]
    expect(sentences[:2] == ["Helsehus og sykehjem: 10 timer, 0,0 årsverk",
                             "Aktivitetshusene: 4 timer, 0,0 årsverk"],
           f"the annual report in Tønsberg's shape: {sentences}")
    expect("Testby kommune" in driver.page_source, "the annual report names the municipality")
    check("annual")
    expect(printed("annual") == 1, "the annual report prints on one A4 page")
    href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/year.xlsx"]').get_attribute("href")
    status, headers, data = fetch(href)
    book = openpyxl.load_workbook(io.BytesIO(data))
    expect([s.title for s in book.worksheets] == ["Tjenesteområde", "Enhet"],
           "the annual workbook has a sheet per grouping")

    # A volunteer's statement, from their page: one A4 page, no card.
    driver.get(base + "/volunteers/F-1")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Timebekreftelse").click()
    wait_url(base + "/statement/F-1")
    body = driver.find_element(By.TAG_NAME, "main").text
    expect("Åse Nordmann" in body and "Testby kommune" in body, "the statement names them")
    expect("Solsiden sykehjem" in body and "Fjellheim helsehus" in body, "and their sites")
    expect("6,0 timer" in body, "Åse's year: 6,0 hours")
    expect("Kari Lund (frivilligkoordinator)" in body and "kari (" not in body,
           "signed with the coordinator's full name")
    expect("Kort" not in body and "Taushetserklæring" not in body, "no card, no papers")
    check("statement")
    expect(printed("statement") == 1, "the statement prints on one A4 page")

    # The accounts' full names: kari's from `user add --full-name`.
    driver.get(base + "/users")
    expect(driver.find_element(By.ID, "ufull1").get_attribute("value") == "Kari Lund",
           "the users page shows kari's full name")
    check("users")

    # The contact: Solsiden only, whatever the URL says. Ola gives his
    # full name on his own page.
    set_up(ola_link, "ola-passord-12")
    driver.get(base + "/me")
    driver.find_element(By.ID, "mfull").send_keys("Ola Nordbø")
    button = driver.find_element(By.CSS_SELECTOR, 'form[action="/me/name"] button')
    button.click()
    # The form answers with /me again: wait for the old page to go.
    for _ in range(100):
        try:
            button.is_enabled()
            time.sleep(0.1)
        except WebDriverException:
            break
    expect(driver.find_element(By.ID, "mfull").get_attribute("value") == "Ola Nordbø",
           "Ola's full name is kept")
    check("me")
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=site")
    names = [r[0] for r in table("report")]
    expect(names == ["Solsiden sykehjem", "Sum"], f"the contact's sites: {names}")
    check("contact-reports")
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=volunteer")
    expect([r[0] for r in table("report")] == ["F-1", "Sum"], "the contact's volunteers")
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=volunteer&site=fjellheim")
    expect("Fant ikke enheten" in driver.page_source and "F-2" not in driver.page_source,
           "another site by URL: not found")
    check("contact-other-site")
    status, _, data = fetch(f"/reports.xlsx?period=year&year={YEAR}&by=volunteer&site=fjellheim")
    expect(status == 404, "nor its workbook")
    href = None
    driver.get(f"{base}/reports?period=year&year={YEAR}&by=volunteer")
    href = driver.find_element(By.CSS_SELECTOR, 'a[href^="/reports.xlsx"]').get_attribute("href")
    page_rows = table("report")
    status, _, data = fetch(href)
    same_as_page(page_rows, openpyxl.load_workbook(io.BytesIO(data)), "the contact's workbook")
    driver.get(f"{base}/year?year={YEAR}")
    expect("Fjellheim" not in driver.page_source and "Aktivitetshus" not in driver.page_source,
           "the contact's annual report is of Solsiden only")
    check("contact-annual")
    driver.get(base + "/statement/F-1")
    expect("Fjellheim" not in driver.page_source, "the contact's statement: their site only")
    expect("Ola Nordbø (frivilligkontakt)" in driver.page_source,
           "signed with the contact's full name")
    driver.get(base + "/statement/F-3")
    expect("Fant ikke" in driver.page_source, "nor someone never at their site")
finally:
    driver.quit()
    server.terminate()
    server.wait()

print(f"checked {len(checked)} pages with axe-core: {', '.join(checked)}")
print(f"screenshots in {work}/screenshots")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("all browser checks passed")
