#!/usr/bin/env python3
"""A receiver written from sync/PROTOCOL.md alone (not tilstede-central's
code), with scripted faults, for driving the real tilstedectl and kiosk.
Usage: doc_receiver.py PORT_FILE LOG_FILE [--cursor-length N] [--roster FILE]
       [--bad-volunteer ID] [--reject-volunteer ID] [--events-status N]
Every request is logged as one JSON line (method, path, query, and for
POST the body and the status answered). The roster cursor is N bytes; a
`since` that is not the cursor last given gets 400 invalid_cursor, as the
document's section 3 says. With --roster, the roster answer's volunteers,
cards and activities are FILE's (a JSON object, read again at every
request so a test can change it), and `"full": true` in FILE makes every
answer full, as after the receiver lost its cursors. Faults on
POST /v1/events: a batch holding an event of volunteer ID gets
400 invalid_request (--bad-volunteer); such an event is listed in
`rejected` of a 200 (--reject-volunteer); every batch gets status N
(--events-status, e.g. 500). With --token T, a request without
`Authorization: Bearer T` gets 401 (section 2)."""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
cursor_length = 8
if "--cursor-length" in sys.argv:
    cursor_length = int(sys.argv[sys.argv.index("--cursor-length") + 1])
generation = [0]
roster_file = sys.argv[sys.argv.index("--roster") + 1] if "--roster" in sys.argv else None


def roster_rows(since):
    rows = {"volunteers": [], "cards": [], "activities": []}
    full = not since
    if roster_file:
        with open(roster_file) as f:
            given = json.load(f)
        rows.update({key: given.get(key, []) for key in rows})
        full = full or given.get("full", False)
    return dict(rows, full=full)


def option(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


bad_volunteer = option("--bad-volunteer")
reject_volunteer = option("--reject-volunteer")
events_status = option("--events-status")
token = option("--token")


def cursor():
    # Opaque to the client: a generation number padded to the length asked.
    head = "g%d-" % generation[0]
    return (head + "x" * cursor_length)[:cursor_length] if cursor_length > len(head) else head


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.answer(status, {"error": {"code": code, "message": message}})

    def log(self, body, status=None, stored=None):
        url = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": url.path,
                 "query": urllib.parse.parse_qs(url.query, keep_blank_values=True),
                 "body": body, "status": status}
        if stored is not None:
            entry["stored"] = stored  # the ids this answer says were stored
        with open(log_file, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def refused(self):
        # Section 2: 401 before the body is read; nothing is stored.
        if token and self.headers.get("Authorization") != "Bearer " + token:
            self.log(None, 401)
            self.error(401, "unauthorized", "token missing, wrong or revoked")
            return True
        return False

    def do_GET(self):
        if self.refused():
            return
        self.log(None)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if url.path == "/v1/roster":
            since = query.get("since", [""])[0]
            if since and since != cursor():
                return self.error(400, "invalid_cursor", "since is not a cursor")
            return self.answer(200, dict(roster_rows(since), cursor=cursor()))
        self.error(404, "not_found", "no such path")

    def events(self, doc):
        events = doc.get("events", [])
        if events_status:
            self.log(doc, int(events_status))
            return self.error(int(events_status), "storage_failed", "scripted failure")
        for index, event in enumerate(events):
            if bad_volunteer and event.get("volunteer") == bad_volunteer:
                self.log(doc, 400)
                return self.error(400, "invalid_request",
                                  "events[%d].volunteer: not taken by this receiver" % index)
        stored, rejected = [], []
        for index, event in enumerate(events):
            if reject_volunteer and event.get("volunteer") == reject_volunteer:
                rejected.append({"index": index, "event_id": event.get("event_id"),
                                 "code": "invalid_event",
                                 "error": "volunteer: not on this receiver's roster"})
            else:
                stored.append(event.get("event_id"))
        self.log(doc, 200, stored)
        self.answer(200, {"stored": stored, "duplicate": [], "rejected": rejected})

    def do_POST(self):
        if self.refused():
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            doc = json.loads(raw)
        except ValueError:
            self.log(None)
            return self.error(400, "malformed_json", "the body is not valid JSON")
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/v1/events":
            return self.events(doc)
        self.log(doc)
        if url.path == "/v1/status":
            return self.answer(200, {"ok": True})
        if url.path == "/v1/control":
            # The test's own door: a new generation of cursors, as after the
            # receiver's database was restored from a backup.
            generation[0] += 1
            return self.answer(200, {"generation": generation[0]})
        self.error(404, "not_found", "no such path")


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
