#!/usr/bin/env python3
"""Tiny DHCPv4 test client (no scapy): DISCOVER [+ REQUEST], prints replies.

Acts as a broadcast client on IFACE (port 68, broadcast flag set, so no
address is needed), or as a relay agent (--relay GIADDR: sends from
GIADDR:67 to SERVER:67 with giaddr set, like a router would).

Output, one line per field of each reply, e.g.:
  OFFER.yiaddr=10.213.0.150
  OFFER.siaddr=10.213.0.1
  OFFER.file=ipxe.efi
  OFFER.opt60=HTTPClient        (printable options as text)
  OFFER.opt175=b00101           (others as hex)
Exit status 0 when the last expected reply arrived, 1 otherwise.

Malformed requests: --raw-options HEX goes after every other option, as
is (any code, length or garbage); --no-end leaves out the end option;
--pad N adds N pad bytes after it; --file and --sname fill those fields
with raw bytes (option overload, 52); --truncate N sends only the first N
bytes of each request; --xid HEX fixes the transaction id, so that the
server's log of a request that got no answer can be found.

ProxyDHCP: --proxy-request CIADDR sends, after the OFFER, what iPXE and
PXE firmware send to a proxy server: a DHCPREQUEST from CIADDR:68 to the
OFFER's server identifier, port 4011, with ciaddr set; its answer is
printed as PROXYACK.*.
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK = 1, 2, 3, 4, 5, 6
NAMES = {OFFER: "OFFER", ACK: "ACK", NAK: "NAK"}


def smbios_uuid(text):
    """Option 97 payload: type 0, then the UUID with its first three
    fields little-endian (SMBIOS order), as firmware sends it."""
    b = bytes.fromhex(text.replace("-", ""))
    return b"\x00" + b[3::-1] + b[5:3:-1] + b[7:5:-1] + b[8:]


def build(args, xid, mac, mtype, extra, ciaddr="0.0.0.0"):
    opts = bytes([53, 1, mtype])
    if not args.no_client_id:
        opts += bytes([61, 7, 1]) + mac
    prl = bytes([1, 3, 6, 12, 15, 28, 43, 60, 66, 67, 97, 175])
    opts += bytes([55, len(prl)]) + prl
    if args.vendor:
        v = args.vendor.encode()
        opts += bytes([60, len(v)]) + v
    if args.arch is not None:
        opts += bytes([93, 2]) + struct.pack("!H", args.arch)
    if args.uuid:
        u = smbios_uuid(args.uuid)
        opts += bytes([97, len(u)]) + u
    if args.user_class:
        u = args.user_class.encode()
        opts += bytes([77, len(u)]) + u
    bootfile = bytes.fromhex(args.file)
    if args.ipxe or args.ipxe_no_https or args.ipxe_in_file:
        # iPXE feature flags: 0x13 bzImage, 0x19 HTTP, 0x10 PXE ext, and
        # 0x14 HTTPS unless --ipxe-no-https (an old NIC ROM's iPXE)
        enc = bytes([0x13, 1, 1, 0x19, 1, 1, 0x10, 1, 2])
        if not args.ipxe_no_https:
            enc += bytes([0x14, 1, 1])
        if args.ipxe_in_file:
            # option overload (52 = 1): 175 in the file field
            bootfile = bytes([175, len(enc)]) + enc + b"\xff"
            opts += bytes([52, 1, 1])
        else:
            opts += bytes([175, len(enc)]) + enc
    for code, hexval in args.opt:
        val = bytes.fromhex(hexval)
        opts += bytes([code, len(val)]) + val
    opts += extra + bytes.fromhex(args.raw_options)
    if not args.no_end:
        opts += b"\xff"
    opts += b"\0" * args.pad
    giaddr = socket.inet_aton(args.relay) if args.relay else b"\0" * 4
    hops = 1 if args.relay else 0
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, hops, xid, 0,
                      0x8000, socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4, giaddr,
                      mac + b"\0" * 10, bytes.fromhex(args.sname),
                      bootfile)
    return (pkt + b"\x63\x82\x53\x63" + opts)[:args.truncate]


def parse(data):
    if len(data) < 240 or data[236:240] != b"\x63\x82\x53\x63":
        return None
    (op, _, _, _, xid, _, _, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
     bfile) = struct.unpack("!BBBBIHH4s4s4s4s16s64s128s", data[:236])
    r = {"xid": xid, "yiaddr": socket.inet_ntoa(yiaddr),
         "siaddr": socket.inet_ntoa(siaddr),
         "sname": sname.split(b"\0")[0].decode(errors="replace"),
         "file": bfile.split(b"\0")[0].decode(errors="replace"), "opts": {}}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, ln = data[i], data[i + 1]
        r["opts"][code] = data[i + 2:i + 2 + ln]
        i += 2 + ln
    return r


def show(r, prefix):
    mtype = r["opts"].get(53, b"\0")[0]
    name = prefix + NAMES.get(mtype, "TYPE%d" % mtype)
    print("%s.yiaddr=%s" % (name, r["yiaddr"]))
    print("%s.siaddr=%s" % (name, r["siaddr"]))
    print("%s.sname=%s" % (name, r["sname"]))
    print("%s.file=%s" % (name, r["file"]))
    for code in sorted(r["opts"]):
        v = r["opts"][code]
        if code in (12, 15, 56, 60, 66, 67) and all(32 <= c < 127 for c in v.rstrip(b"\0")):
            v = v.rstrip(b"\0").decode()
        else:
            v = v.hex()
        print("%s.opt%d=%s" % (name, code, v))
    return mtype


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--mac", required=True)
    ap.add_argument("--vendor")
    ap.add_argument("--arch", type=int)
    ap.add_argument("--uuid")
    ap.add_argument("--user-class")
    ap.add_argument("--ipxe", action="store_true", help="send option 175")
    ap.add_argument("--ipxe-no-https", action="store_true",
                    help="send option 175 without the HTTPS feature")
    ap.add_argument("--no-client-id", action="store_true")
    ap.add_argument("--opt", nargs=2, action="append", default=[],
                    metavar=("CODE", "HEX"), type=str)
    ap.add_argument("--raw-options", metavar="HEX", default="",
                    help="raw bytes after the other options")
    ap.add_argument("--no-end", action="store_true",
                    help="no end option")
    ap.add_argument("--pad", metavar="N", type=int, default=0,
                    help="N pad bytes after the end option")
    ap.add_argument("--ipxe-in-file", action="store_true",
                    help="send option 175 in the file field (option 52)")
    ap.add_argument("--file", metavar="HEX", default="",
                    help="raw bytes for the file field (128 at most)")
    ap.add_argument("--sname", metavar="HEX", default="",
                    help="raw bytes for the sname field (64 at most)")
    ap.add_argument("--truncate", metavar="N", type=int,
                    help="send only the first N bytes")
    ap.add_argument("--xid", metavar="HEX", type=lambda x: int(x, 16))
    ap.add_argument("--relay", metavar="GIADDR")
    ap.add_argument("--server", default="255.255.255.255")
    ap.add_argument("--discover-only", action="store_true")
    ap.add_argument("--proxy-request", metavar="CIADDR")
    ap.add_argument("--timeout", type=float, default=4.0)
    args = ap.parse_args()
    args.opt = [(int(c, 0), h) for c, h in args.opt]
    mac = bytes.fromhex(args.mac.replace(":", ""))
    xid = random.getrandbits(32) if args.xid is None else args.xid

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.iface.encode())
    if args.relay:
        s.bind((args.relay, 67))
        dest = (args.server, 67)
    else:
        s.bind(("", 68))
        dest = ("255.255.255.255", 67)

    def exchange(pkt, want):
        for attempt in range(3):
            s.sendto(pkt, dest)
            deadline = time.time() + args.timeout / 3
            while time.time() < deadline:
                rl, _, _ = select.select([s], [], [], max(0, deadline - time.time()))
                if not rl:
                    break
                data = s.recv(4096)
                r = parse(data)
                if r and r["xid"] == xid and r["opts"].get(53, b"\0")[0] in want:
                    return r
        return None

    r = exchange(build(args, xid, mac, DISCOVER, b""), (OFFER,))
    if not r:
        print("NOREPLY")
        return 1
    show(r, "")
    print("xid=%08x" % xid)
    if args.discover_only:
        return 0
    if args.proxy_request:
        server = socket.inet_ntoa(r["opts"].get(54, b"\0" * 4))
        dest = (server, 4011)
        s.close()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.iface.encode())
        s.bind((args.proxy_request, 68))
        r = exchange(build(args, xid, mac, REQUEST, b"", args.proxy_request), (ACK,))
        if not r:
            print("NOPROXYACK")
            return 1
        show(r, "PROXY")
        return 0
    extra = bytes([50, 4]) + socket.inet_aton(r["yiaddr"])
    if 54 in r["opts"]:
        extra += bytes([54, 4]) + r["opts"][54]
    r = exchange(build(args, xid, mac, REQUEST, extra), (ACK, NAK))
    if not r:
        print("NOACK")
        return 1
    return 0 if show(r, "") == ACK else 1


if __name__ == "__main__":
    sys.exit(main())
