#!/usr/bin/env python3
"""A stand-in HTTPS image factory for tests/e2e (the https-upgrade case):
shows each TLS connection attempt, whether or not the client then trusts
the certificate.

    tls-factory.py ADDR PORT CERT KEY ROOT LOG

Listens on ADDR:PORT. For every connection it reads the first TLS record
without consuming it and logs one line to LOG:
    clienthello PEER-IP sni=NAME     a TLS handshake record (type 22) whose
                                     first message is a ClientHello (type 1)
    other PEER-IP                    anything else
then runs the server side of the handshake with CERT and KEY and logs
    handshake-ok PEER-IP  |  handshake-failed PEER-IP REASON
After a handshake, GET requests are served from ROOT and logged as
    GET PEER-IP PATH STATUS
"Serving HTTPS" is printed on stderr once it listens.
"""
import http.server
import os
import socket
import ssl
import sys
import threading

ADDR, PORT, CERT, KEY, ROOT, LOG = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
log_lock = threading.Lock()


def log(line):
    with log_lock, open(LOG, "a") as f:
        f.write(line + "\n")


def client_hello_sni(data):
    """The SNI of a ClientHello record, "-" without one, None if DATA is
    not the start of a ClientHello."""
    if len(data) < 6 or data[0] != 22 or data[1] != 3 or data[5] != 1:
        return None
    try:
        p = 5 + 4 + 2 + 32  # record header, handshake header, version, random
        p += 1 + data[p]  # session id
        p += 2 + int.from_bytes(data[p:p + 2], "big")  # cipher suites
        p += 1 + data[p]  # compression methods
        end = p + 2 + int.from_bytes(data[p:p + 2], "big")
        p += 2
        while p + 4 <= end:
            typ = int.from_bytes(data[p:p + 2], "big")
            ln = int.from_bytes(data[p + 2:p + 4], "big")
            if typ == 0:  # server_name: list length, type, name length, name
                return data[p + 9:p + 9 + int.from_bytes(data[p + 7:p + 9], "big")].decode("ascii", "replace")
            p += 4 + ln
    except IndexError:
        pass
    return "-"


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=ROOT, **kw)

    def log_request(self, code="-", size="-"):
        log("GET %s %s %s" % (self.client_address[0], self.path, code))


def serve(conn, peer, ctx):
    try:
        conn.settimeout(10)
        data = conn.recv(4096, socket.MSG_PEEK)
        sni = client_hello_sni(data)
        log("clienthello %s sni=%s" % (peer, sni) if sni is not None else "other %s" % peer)
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("handshake-failed %s %s" % (peer, getattr(e, "reason", None) or e))
            return
        log("handshake-ok %s" % peer)
        Handler(tls, (peer, 0), None)
    except OSError as e:
        log("error %s %s" % (peer, e))
    finally:
        conn.close()


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ADDR, PORT))
    srv.listen(8)
    print("Serving HTTPS on %s port %d" % (ADDR, PORT), file=sys.stderr, flush=True)
    while True:
        conn, (peer, _) = srv.accept()
        threading.Thread(target=serve, args=(conn, peer, ctx), daemon=True).start()


main()
