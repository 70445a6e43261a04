"""What the central's browser tests share: headless Chromium under
Selenium, and the check every page gets (axe-core with 0 serious or
critical findings, nothing wider than a phone, screenshots of the whole
page at phone and desktop width)."""
import json
import os

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

AXE = "/usr/local/lib/tilstede-test/node_modules/axe-core/axe.min.js"


def start_chromium(work):
    """Headless Chromium with its profile in WORK/chromium."""
    options = Options()
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={work}/chromium", "--window-size=1280,900"]:
        options.add_argument(flag)
    # A Norwegian browser: the pages before sign-in follow Accept-Language.
    options.add_experimental_option("prefs", {"intl.accept_languages": "nb-NO,nb,no"})
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


class PageCheck:
    """check(name) on the page as it is; the failures and the names of the
    pages checked are kept for the test's summary."""

    def __init__(self, driver, work):
        self.driver = driver
        self.shots = os.path.join(work, "screenshots")
        self.axe = open(AXE).read()
        self.failures = []
        self.checked = []

    def __call__(self, name):
        driver = self.driver
        driver.execute_script(self.axe)
        result = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then(r => done(JSON.stringify(r.violations))).catch(e => done(String(e)));")
        self.checked.append(name)
        for v in json.loads(result):
            if v["impact"] in ("serious", "critical"):
                self.failures.append(f"{name}: axe {v['impact']} {v['id']}: {v['help']} "
                                     f"({len(v['nodes'])} elements)")
        # Nothing may be wider than a phone's screen (a sideways scroll),
        # except inside a .wide box, which scrolls by itself.
        driver.set_window_size(390, 900)
        wide = driver.execute_script(
            "return [...document.querySelectorAll('body *')].filter(e => !(e.parentElement && "
            "e.parentElement.closest('.wide')) && e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className)"
            ".slice(0, 5)")
        if wide:
            self.failures.append(f"{name}: wider than a phone: {wide}")
        for width, label in ((390, "phone"), (1280, "desktop")):
            # The whole page, not only the first screenful.
            driver.set_window_size(width, 900)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(max(height + 140, 900), 6000))
            driver.save_screenshot(f"{self.shots}/{name}-{label}.png")
        driver.set_window_size(1280, 900)
