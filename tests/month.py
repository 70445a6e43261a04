#!/usr/bin/env python3
"""A month at three sites, as a test (issue 12, item 3).

A seeded generator makes March (of 2027) at three sites with 51 volunteers, some
roaming, and every fault seen in the field: forgotten check-outs, double
taps, re-taps after 40 s, a check-in at one site and a tap at another, a
fortnight offline, kill -9 of `tilstedectl sync` in mid-upload, reboots, a
board clock starting at 1970 (sweep before the uploader's correction, and
after), a night watch, the summer-time change (28 March 2027). The real
tilstedectl (its clock set by the preloaded shim tests/month_clock.c) and
the real tilstede-central over HTTP on loopback. The expected hours are
computed here from the generated taps and the documented rules (README,
"How a tap becomes hours"), never read back from Tilstede.

Usage: month.py BIN_DIR SHIM.so WORK_DIR [SEED]
"""
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.timezone.utc
REPEAT_S = 30            # [rules] repeat_window_seconds (default)
MAX_VISIT_S = 10 * 3600  # [rules] max_visit_hours (default)
DAY_END = (23, 0)        # [rules] day_end (default); credit none
SITES = ["nordhagen", "solsiden", "elvebakken"]
# March of next year: a kiosk trusts no time before its build date, and the
# summer-time change is then on Sunday 28 March.
YEAR = 2027
DST_DAY = 28


def local(day, h, m, s=0):
    return dt.datetime(YEAR, 3, day, h, m, s, tzinfo=OSLO).astimezone(UTC)


def us(t):
    return int(t.timestamp()) * 1000000


# --- the documented rules, independently -----------------------------------
def next_day_end(t):
    lt = t.astimezone(OSLO)
    end = lt.replace(hour=DAY_END[0], minute=DAY_END[1], second=0, microsecond=0)
    if end <= lt:
        d = lt.date() + dt.timedelta(days=1)
        end = dt.datetime(d.year, d.month, d.day, DAY_END[0], DAY_END[1], tzinfo=OSLO)
    return end.astimezone(UTC)


def deadline(start, activity_end):
    """Never before the activity's end; the day's end after it; 10 h net."""
    d = start + dt.timedelta(seconds=MAX_VISIT_S)
    d = min(d, next_day_end(activity_end if activity_end and activity_end > start else start))
    if activity_end and activity_end > d:
        d = activity_end
    return d


class Expect:
    def __init__(self):
        self.open = {}      # (vol, site) -> (start, activity_end)
        self.last = {}      # (vol, site) -> time of the last recorded toggle
        self.seconds = {}   # (vol, site) -> seconds of closed visits
        self.flagged = {}   # (vol, site) -> visits closed automatically
        self.visits = {}

    def _close(self, key, end, auto):
        start, _ = self.open.pop(key)
        self.seconds[key] = self.seconds.get(key, 0) + int((end - start).total_seconds())
        self.visits[key] = self.visits.get(key, 0) + 1
        if auto:
            self.flagged[key] = self.flagged.get(key, 0) + 1

    def sweep(self, site, now, only=None):
        for key in sorted(self.open):
            if key[1] != site or (only and key[0] != only):
                continue
            start, aend = self.open[key]
            if now >= deadline(start, aend):
                self._close(key, start, True)  # credit none: the start

    def toggle(self, vol, site, now, by_card, activity_end=None):
        key = (vol, site)
        self.sweep(site, now, vol)
        if by_card and key in self.last and (now - self.last[key]).total_seconds() < REPEAT_S:
            return "same"
        self.last[key] = now
        if key in self.open:
            self._close(key, now, False)
            return "out"
        self.open[key] = (now, activity_end)
        return "in"


# --- the generated month ---------------------------------------------------
def generate(seed):
    rnd = random.Random(seed)
    vols = []
    for i in range(51):
        home = SITES[i % 3]
        roams = SITES[(i + 1) % 3] if i % 7 == 0 else None
        vols.append(("V%02d" % (i + 1), home, roams, "04aa%010x" % (i + 1)))
    acts = []  # (time, site, what, args)
    faults = {k: 0 for k in ("forgotten", "double", "retap40", "other_site")}
    for vid, home, roams, uid in vols:
        days = rnd.sample(range(1, 31), 3)
        for day in days:
            if day in (5, 12) and home in ("nordhagen", "solsiden"):
                continue  # the 1970 mornings are scripted below
            site = roams if roams and rnd.random() < 0.5 else home
            start = local(day, rnd.randint(9, 14), rnd.randint(0, 59))
            length = dt.timedelta(minutes=rnd.randint(45, 300))
            acts.append((start, site, "tap", (vid, uid)))
            r = rnd.random()
            if r < 0.10:
                faults["double"] += 1
                acts.append((start + dt.timedelta(seconds=8), site, "tap", (vid, uid)))
            elif r < 0.15:
                faults["retap40"] += 1
                acts.append((start + dt.timedelta(seconds=40), site, "tap", (vid, uid)))
            r = rnd.random()
            if r < 0.08:
                faults["forgotten"] += 1
            elif r < 0.13 and roams:
                faults["other_site"] += 1
                other = roams if site == home else home
                acts.append((start + length, other, "tap", (vid, uid)))
            else:
                acts.append((start + length, site, "tap", (vid, uid)))
    return vols, acts, faults


def main():
    bin_dir, shim, work = sys.argv[1], sys.argv[2], sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20260301
    os.makedirs(work, exist_ok=True)
    os.environ["TZ"] = "Europe/Oslo"
    central_db = os.path.join(work, "central.db")
    for f in os.listdir(work):
        os.remove(os.path.join(work, f))
    central = [os.path.join(bin_dir, "tilstede-central"), "--db", central_db]
    ctl_bin = os.path.join(bin_dir, "tilstedectl")
    vols, acts, faults = generate(seed)

    def run(args, **kw):
        return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout

    with open(os.path.join(work, "roster.csv"), "w") as f:
        f.write("Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserklæring\n")
        for vid, *_ in vols:
            f.write("%s;Frivillig;%s;ja;01.02.2025\n" % (vid, vid))
    kiosks = {}
    for site in SITES:
        run(central + ["site", "add", site, "--name", site.title(), "--kind", "helsehus"])
        token = run(central + ["device", "add", site, "--name", "Inngang"]).strip()
        tok = os.path.join(work, site + ".token")
        with open(tok, "w") as f:
            f.write(token + "\n")
        os.chmod(tok, 0o600)
        kiosks[site] = {"conf": os.path.join(work, site + ".conf"), "boot": 0,
                        "boot_at": local(1, 6, 0), "wall_1970": None, "synced": True}
    run(central + ["activity", "add", "nordhagen", "--date", "%d-03-%02d" % (YEAR, DST_DAY - 1), "--start", "22:00",
                   "--end", "07:00", "--title", "Nattevakt"])
    port = 20000 + random.Random().randint(0, 20000)
    server = subprocess.Popen(central + ["serve", "--listen", "127.0.0.1:%d" % port],
                              stdout=open(os.path.join(work, "central.log"), "w"),
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/v1/health" % port, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for site in SITES:
            with open(kiosks[site]["conf"], "w") as f:
                f.write("[site]\nid = %s\nname = %s\n[reader]\nconnection = sim\n"
                        "[store]\ndatabase = %s/%s.db\ncard_key = %s/card.key\n"
                        "[sync]\ncentral_url = http://127.0.0.1:%d\ntoken_file = %s/%s.token\n"
                        "batch_size = 20\n"
                        % (site, site.title(), work, site, work, port, work, site))
        result = simulate(ctl_bin, shim, work, kiosks, vols, acts, faults)
    finally:
        server.terminate()
        server.wait()
    return result


def simulate(ctl_bin, shim, work, kiosks, vols, acts, faults):
    expect = Expect()
    counts = {"commands": 0, "killed_mid_upload": 0, "reboots": 0}

    def env_at(site, t):
        k = kiosks[site]
        mono = int((t - k["boot_at"]).total_seconds() * 1e6) + 20 * 1000000
        if k["wall_1970"] is not None and t < k["wall_1970"]:
            wall, synced = mono, 0
        else:
            wall, synced = us(t), 1
        boot = os.path.join(work, "%s.boot" % site)
        with open(boot, "w") as f:
            f.write("00000000-0000-4000-8000-%012d\n" % (SITES.index(site) * 1000 + k["boot"]))
        e = dict(os.environ, LD_PRELOAD=shim, ASAN_OPTIONS=":".join(
                     filter(None, [os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"])),
                 TILSTEDE_SIM_WALL_US=str(wall), TILSTEDE_SIM_MONO_US=str(mono),
                 TILSTEDE_SIM_SYNCED=str(synced), TILSTEDE_SIM_BOOT=boot)
        return e

    def ctl(site, t, *args, check=True):
        counts["commands"] += 1
        p = subprocess.run([ctl_bin, "--config", kiosks[site]["conf"]] + list(args),
                           env=env_at(site, t), capture_output=True, text=True)
        if check and p.returncode not in (0, 4):
            raise SystemExit("tilstedectl %s at %s on %s: %d %s" % (" ".join(args), t, site,
                                                                   p.returncode, p.stderr))
        return p.stdout

    def reboot(site, t, clock_1970_until=None):
        k = kiosks[site]
        k["boot"] += 1
        k["boot_at"] = t
        k["wall_1970"] = clock_1970_until
        counts["reboots"] += 1

    # Setup at 1 March 06:00: roster, cards.
    t0 = local(1, 6, 0)
    for site in SITES:
        ctl(site, t0, "import-roster", os.path.join(work, "roster.csv"))
        for vid, _, _, uid in vols:
            ctl(site, t0, "enroll", vid, uid)
        ctl(site, t0, "sync")

    # Scripted: the 1970 mornings (nordhagen 5 March sweep first, solsiden
    # 12 March upload first), the night watch over the summer-time change.
    script = []
    for site, day, first in (("nordhagen", 5, "sweep"), ("solsiden", 12, "sync")):
        vid, uid = [(v[0], v[3]) for v in vols if v[1] == site][0]
        script += [(local(day, 7, 0), site, "reboot1970", local(day, 8, 30)),
                   (local(day, 7, 20), site, "tap", (vid, uid)),
                   (local(day, 8, 31), site, first, None),
                   (local(day, 8, 32), site, "sync" if first == "sweep" else "sweep", None),
                   (local(day, 10, 5), site, "tap", (vid, uid))]
    watchers = [v for v in vols if v[1] == "nordhagen"][1:3]
    script.append((local(DST_DAY - 1, 20, 0), "nordhagen", "sync", None))
    for vid, _, _, uid in watchers:
        script.append((local(DST_DAY - 1, 22, 30), "nordhagen", "watch", (vid, uid)))
        script.append((local(DST_DAY - 1, 23, 30), "nordhagen", "present", vid))
        script.append((local(DST_DAY, 3, 30), "nordhagen", "present", vid))
        script.append((local(DST_DAY, 7, 5), "nordhagen", "tap", (vid, uid)))
    # Reboots at elvebakken, and daily syncs at 21:00 (elvebakken offline
    # 8-21 March, then its backlog's upload killed with -9 in mid-run).
    for day in (3, 17, 25):
        script.append((local(day, 6, 0), "elvebakken", "reboot", None))
    for day in range(1, 32):
        for site in SITES:
            if site == "elvebakken" and 8 <= day <= 21:
                continue
            if site == "elvebakken" and day == 22:
                script.append((local(day, 20, 59), site, "killsync", None))
            script.append((local(day, 21, 0), site, "sync", None))
    end = dt.datetime(YEAR, 4, 1, 12, 0, tzinfo=OSLO).astimezone(UTC)
    for site in SITES:
        script += [(end, site, "sweep", None), (end + dt.timedelta(minutes=1), site, "sync", None)]

    order = {"reboot": 0, "reboot1970": 0}
    timeline = sorted(acts + script, key=lambda a: (a[0], order.get(a[2], 1)))
    watch_end = local(DST_DAY, 7, 0)
    problems = []
    for t, site, what, arg in timeline:
        if what == "tap":
            vid, uid = arg
            want = expect.toggle(vid, site, t, True)
            out = ctl(site, t, "--json", "tap", uid)
            got = json.loads(out)["outcome"] if out.strip() else "?"
            if {"in": "checked_in", "out": "checked_out"}.get(want, "already") not in got:
                problems.append("%s %s at %s: expected %s, Tilstede said %s" % (vid, site, t, want, got))
        elif what == "watch":
            vid, uid = arg
            expect.toggle(vid, site, t, False, watch_end)
            listed = json.loads(ctl(site, t, "--json", "activities",
                                    "%d-03-%02d" % (YEAR, DST_DAY - 1)))
            aid = [a for a in (listed if isinstance(listed, list) else listed["activities"])
                   if a["title"] == "Nattevakt"][0]["id"]
            ctl(site, t, "checkin", vid, "--activity", str(aid))
        elif what == "present":
            expect.sweep(site, t)
            names = ctl(site, t, "present")
            if arg not in names:
                problems.append("%s not on the roll call at %s" % (arg, t))
        elif what == "sweep":
            expect.sweep(site, t)
            ctl(site, t, "sweep")
        elif what == "sync":
            expect.sweep(site, t)
            ctl(site, t, "sync", check=False)
        elif what == "killsync":
            expect.sweep(site, t)
            counts["commands"] += 1
            p = subprocess.Popen([ctl_bin, "--config", kiosks[site]["conf"], "sync"],
                                 env=env_at(site, t), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            # Killed once the central holds part of the backlog.
            cdb = sqlite3.connect(os.path.join(work, "central.db"))
            held = "SELECT count(*) FROM event WHERE site = ?"
            base = cdb.execute(held, (site,)).fetchone()[0]
            while p.poll() is None and cdb.execute(held, (site,)).fetchone()[0] == base:
                time.sleep(0.002)
            if p.poll() is None:
                counts["killed_mid_upload"] += 1
                p.send_signal(signal.SIGKILL)
            p.wait()
            cdb.close()
        elif what == "reboot":
            reboot(site, t)
        elif what == "reboot1970":
            reboot(site, t, arg)
    return expect, counts, faults, problems, vols


def report(work, expect, counts, faults, problems, vols, bin_dir):
    db = sqlite3.connect(os.path.join(work, "central.db"))
    central = {}
    for vol, site, secs, n, flagged in db.execute(
            "SELECT volunteer, site, sum(end_us - start_us) / 1000000, count(*), sum(review) "
            "FROM visit WHERE end_us IS NOT NULL GROUP BY volunteer, site"):
        central[(vol, site)] = (int(secs), n, int(flagged))
    open_central = db.execute("SELECT count(*) FROM visit WHERE end_us IS NULL").fetchone()[0]
    dup = db.execute("SELECT count(*) - count(DISTINCT event_id) FROM event").fetchone()[0]
    central_events = db.execute("SELECT count(*) FROM event").fetchone()[0]
    keys = sorted(set(expect.seconds) | set(central))
    exp_min = rep_min = 0
    for key in keys:
        want = (expect.seconds.get(key, 0), expect.visits.get(key, 0), expect.flagged.get(key, 0))
        got = central.get(key, (0, 0, 0))
        exp_min += want[0] // 60
        rep_min += got[0] // 60
        if (want[0] // 60, want[1], want[2]) != (got[0] // 60, got[1], got[2]):
            problems.append("%s at %s: expected %d min, %d visits, %d flagged; central %d min, "
                            "%d visits, %d flagged" % (key + (want[0] // 60, want[1], want[2],
                                                              got[0] // 60, got[1], got[2])))
    if open_central:
        problems.append("%d visits still open at the central" % open_central)
    if dup:
        problems.append("%d events held twice at the central" % dup)
    month = ["--from", "%d-03-01" % YEAR, "--to", "%d-03-31" % YEAR, "--by", "volunteer"]
    # The central's report, per volunteer, against the expected minutes.
    rows = json.loads(subprocess.run(
        [os.path.join(bin_dir, "tilstede-central"), "--db", os.path.join(work, "central.db"),
         "report", "--json"] + month, check=True, capture_output=True, text=True).stdout)["rows"]
    reported = {r["key"]: r["seconds"] // 60 for r in rows}
    for vid, *_ in vols:
        want = sum(expect.seconds.get((vid, site), 0) for site in SITES) // 60
        if reported.get(vid, 0) != want:
            problems.append("%s: central report %d min, expected %d min"
                            % (vid, reported.get(vid, 0), want))
    # Each kiosk: `tilstedectl hours` per volunteer equals the central's for
    # its site; its events are the central's for its site, each once.
    kiosk_events = 0
    for site in SITES:
        kdb = sqlite3.connect(os.path.join(work, site + ".db"))
        kiosk_events += kdb.execute("SELECT count(*) FROM event").fetchone()[0]
        out = subprocess.run([os.path.join(bin_dir, "tilstedectl"), "--config",
                              os.path.join(work, site + ".conf"), "--json", "hours"] + month,
                             check=True, capture_output=True, text=True).stdout
        kv = {r["key"]: (round(r["hours"] * 60), r["visits"]) for r in json.loads(out)["rows"]}
        for (vol, s), got in central.items():
            if s == site and kv.get(vol, (0, 0)) != (round(got[0] / 60), got[1]):
                problems.append("%s at %s: kiosk's hours %s, central %s" % (vol, site, kv.get(vol), got))
        ids = set(r[0] for r in kdb.execute("SELECT event_id FROM event"))
        cids = set(r[0] for r in db.execute("SELECT event_id FROM event WHERE site = ?", (site,)))
        if ids != cids:
            problems.append("%s: %d events only at the kiosk, %d only at the central"
                            % (site, len(ids - cids), len(cids - ids)))
        waiting = kdb.execute("SELECT count(*) FROM event WHERE uploaded = 0").fetchone()[0]
        if waiting:
            problems.append("%s: %d events never uploaded" % (site, waiting))
    flagged_exp = sum(expect.flagged.values())
    flagged_rep = sum(v[2] for v in central.values())
    print("month simulation: %d volunteers, %d sites, %d commands, faults %s, %d reboots, "
          "sync killed in mid-upload %d time(s)"
          % (len(vols), len(SITES), counts["commands"], faults, counts["reboots"],
             counts["killed_mid_upload"]))
    print("hours expected %.2f, reported by the central %.2f; events %d at the kiosks, %d at "
          "the central; flagged visits expected %d, reported %d"
          % (exp_min / 60, rep_min / 60, kiosk_events, central_events, flagged_exp, flagged_rep))
    for p in problems:
        print("FAILED:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    expect, counts, faults, problems, vols = main()
    sys.exit(report(sys.argv[3], expect, counts, faults, problems, vols, sys.argv[1]))
