#!/usr/bin/env python3
"""A stand-in image factory for the mirror tests: serves ROOT over HTTP
with byte ranges, logs every request, and injects faults.

    factory.py ROOT PORT LOG FAULTS

ROOT is served at /; every GET is logged to LOG as "PATH RANGE" (RANGE
is the Range header, or "-"). FAULTS is read on every request: lines of
"PATH FAULT", where FAULT is one of
    404         answer 404
    500         answer 500, always
    500once     answer 500 the first time, then serve the file
    truncate    announce the whole length but send half, then close
    truncateonce  the same, the first time only
    norange     ignore Range: always send the whole file with 200
("the first time": the first request for PATH with that fault listed,
while the server runs)
"""
import http.server
import os
import sys

ROOT, PORT, LOG, FAULTS = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seen = set()


def fault_for(path):
    try:
        with open(FAULTS) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == path:
                    return parts[1]
    except FileNotFoundError:
        pass
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        rng = self.headers.get("Range")
        with open(LOG, "a") as log:
            log.write("%s %s\n" % (path, rng or "-"))
        fault = fault_for(path)
        if fault and fault.endswith("once"):
            # once per path and fault while the server runs
            if (path, fault) in seen:
                fault = None
            else:
                seen.add((path, fault))
        if fault in ("404",):
            return self.send_error(404)
        if fault in ("500", "500once"):
            return self.send_error(500)
        file = os.path.join(ROOT, path.lstrip("/"))
        if ".." in path.split("/") or not os.path.isfile(file):
            return self.send_error(404)
        with open(file, "rb") as f:
            data = f.read()
        start = 0
        if fault == "norange":
            rng = None
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" %
                             (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if fault in ("truncate", "truncateonce"):
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
