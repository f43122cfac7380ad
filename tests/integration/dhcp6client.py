#!/usr/bin/env python3
"""Tiny DHCPv6 test client (no scapy): SOLICIT [+ REQUEST], or an
INFORMATION-REQUEST, from IFACE's link-local address to ff02::1:2, as
firmware and iPXE send them; prints the server's answers.

The identity options are the ones UEFI PXEv6/HTTPv6 and iPXE send:
--duid ll|llt|uuid (DUID-LL or DUID-LLT of --mac, or DUID-UUID of --uuid
in the byte order --uuid-order says: "text", as RFC 6355 and iPXE, or
"smbios", as edk2 copies it), --arch (option 61), --vendor (option 16,
enterprise 343, one item), --user-class (option 15, one item).
--relay LINKADDR wraps each request in a RELAY-FORW from that link
address (with option 79, the client's MAC, when --relay-mac is given),
as a relay agent would, and unwraps the RELAY-REPL.

Output: xid=N (decimal, as dnsmasq logs it) for each request sent, then
one line per field of each answer, e.g.:
  ADVERTISE.opt59=tftp://[fd00::1]/snponly.efi
  ADVERTISE.opt16=343:HTTPClient
  REPLY.address=fd00::1a0
Exit status 0 when the last expected answer arrived, 1 otherwise.

Malformed requests: --raw-options HEX goes after the other options, as is.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

SOLICIT, ADVERTISE, REQUEST, REPLY, IREQ, RELAY_FORW, RELAY_REPL = 1, 2, 3, 7, 11, 12, 13
NAMES = {ADVERTISE: "ADVERTISE", REPLY: "REPLY"}


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def duid(args):
    mac = bytes.fromhex(args.mac.replace(":", ""))
    if args.duid == "ll":
        return struct.pack("!HH", 3, 1) + mac
    if args.duid == "llt":
        return struct.pack("!HHI", 1, 1, 0x2a2a2a2a) + mac
    u = bytes.fromhex(args.uuid.replace("-", ""))
    if args.uuid_order == "smbios":
        u = u[3::-1] + u[5:3:-1] + u[7:5:-1] + u[8:]
    return struct.pack("!H", 4) + u


def build(args, mtype, xid, server_id=None, ia=None):
    body = opt(1, duid(args))
    if server_id:
        body += opt(2, server_id)
    if mtype != IREQ:
        iaid = 0x01020304
        inner = b""
        if ia:
            inner = opt(5, ia + struct.pack("!II", 0, 0))
        body += opt(3, struct.pack("!III", iaid, 0, 0) + inner)
    body += opt(6, struct.pack("!HHHH", 59, 60, 23, 16))
    body += opt(8, b"\x00\x00")
    if args.arch is not None:
        body += opt(61, struct.pack("!H", args.arch))
    if args.vendor:
        v = args.vendor.encode()
        body += opt(16, struct.pack("!IH", 343, len(v)) + v)
    if args.user_class:
        u = args.user_class.encode()
        body += opt(15, struct.pack("!H", len(u)) + u)
    body += bytes.fromhex(args.raw_options)
    msg = bytes([mtype]) + xid + body
    if args.relay:
        link = socket.inet_pton(socket.AF_INET6, args.relay)
        peer = socket.inet_pton(socket.AF_INET6, args.relay_peer)
        relay = opt(9, msg)
        if args.relay_mac:
            relay += opt(79, struct.pack("!H", 1) +
                         bytes.fromhex(args.relay_mac.replace(":", "")))
        msg = bytes([RELAY_FORW, 0]) + link + peer + relay
    return msg


def options(data):
    out, i = [], 0
    while i + 4 <= len(data):
        code, ln = struct.unpack("!HH", data[i:i + 4])
        out.append((code, data[i + 4:i + 4 + ln]))
        i += 4 + ln
    return out


def show(name, code, data):
    if code in (59, 60):
        print(f"{name}.opt{code}={data.decode(errors='replace')}")
    elif code == 16 and len(data) >= 6:
        ent, = struct.unpack("!I", data[:4])
        ln, = struct.unpack("!H", data[4:6])
        print(f"{name}.opt16={ent}:{data[6:6 + ln].decode(errors='replace')}")
    elif code == 3:
        for c, d in options(data[12:]):
            if c == 5 and len(d) >= 16:
                print(f"{name}.address={socket.inet_ntop(socket.AF_INET6, d[:16])}")
            elif c == 13:
                print(f"{name}.ia-status={struct.unpack('!H', d[:2])[0]}")
    elif code == 13 and len(data) >= 2:
        print(f"{name}.status={struct.unpack('!H', data[:2])[0]}")
    elif code not in (1, 2):
        print(f"{name}.opt{code}={data.hex()}")


def receive(sock, xid, want, timeout):
    """Wait for an answer of type WANT to XID; returns its options."""
    end = time.time() + timeout
    while True:
        left = end - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return None
        data, _ = sock.recvfrom(4096)
        if data and data[0] == RELAY_REPL:
            inner = [d for c, d in options(data[34:]) if c == 9]
            if not inner:
                continue
            data = inner[0]
        if len(data) < 4 or data[0] != want or data[1:4] != xid:
            continue
        opts = options(data[4:])
        for code, d in opts:
            show(NAMES[want], code, d)
        return opts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--mac", default="52:54:00:00:00:00")
    ap.add_argument("--duid", choices=("ll", "llt", "uuid"), default="ll")
    ap.add_argument("--uuid")
    ap.add_argument("--uuid-order", choices=("text", "smbios"), default="text")
    ap.add_argument("--arch", type=int)
    ap.add_argument("--vendor")
    ap.add_argument("--user-class")
    ap.add_argument("--raw-options", metavar="HEX", default="")
    ap.add_argument("--info", action="store_true",
                    help="send an INFORMATION-REQUEST instead of SOLICIT")
    ap.add_argument("--request", action="store_true",
                    help="after the ADVERTISE, send a REQUEST for its address")
    ap.add_argument("--relay", metavar="LINKADDR")
    ap.add_argument("--relay-peer", default="fe80::5054:ff:fe00:1")
    ap.add_argument("--relay-mac")
    ap.add_argument("--server", default="ff02::1:2")
    ap.add_argument("--timeout", type=float, default=4.0)
    args = ap.parse_args()
    if args.duid == "uuid" and not args.uuid:
        ap.error("--duid uuid needs --uuid")

    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.iface.encode())
    scope = socket.if_nametoindex(args.iface)
    port = 547 if args.relay else 546
    sock.bind(("::", port, 0, scope))
    dest = (args.server, 547, 0, scope if args.server.startswith(("ff02", "fe80")) else 0)

    xid = os.urandom(3)
    first = IREQ if args.info else SOLICIT
    print(f"xid={int.from_bytes(xid, 'big')}")
    sock.sendto(build(args, first, xid), dest)
    opts = receive(sock, xid, REPLY if args.info else ADVERTISE, args.timeout)
    if opts is None:
        return 1
    if not args.request:
        return 0
    server_id = next((d for c, d in opts if c == 2), None)
    ia = None
    for c, d in opts:
        if c == 3:
            ia = next((x[:16] for cc, x in options(d[12:]) if cc == 5), None)
    xid = os.urandom(3)
    print(f"xid={int.from_bytes(xid, 'big')}")
    sock.sendto(build(args, REQUEST, xid, server_id, ia), dest)
    return 0 if receive(sock, xid, REPLY, args.timeout) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
