#!/usr/bin/env python3
"""Log the DHCP requests seen on an interface, with the iPXE features each
one announces, for tests/e2e (the https-upgrade case).

    dhcp-sniff.py IFACE LOG

For every BOOTREQUEST (UDP to port 67) on IFACE, one line is appended to
LOG:
    MAC XID TYPE features=F,F,...
MAC as aa:bb:..., XID in decimal (as dnsmasq logs it), TYPE the DHCP
message type (1 DISCOVER, 3 REQUEST, ...), and the codes of the
encapsulated options of option 175 (iPXE's features: 20 is HTTPS), "-"
without option 175. "Sniffing IFACE" is printed on stderr once it listens.
Needs root (AF_PACKET).
"""
import socket
import struct
import sys

IFACE, LOG = sys.argv[1], sys.argv[2]


def options(data):
    """The DHCP options of a BOOTP payload, as {code: bytes} (first instance)."""
    out = {}
    p = 240  # fixed header (236) and magic cookie (4)
    if len(data) < p or data[236:240] != b"\x63\x82\x53\x63":
        return out
    while p < len(data):
        code = data[p]
        if code == 255:
            break
        if code == 0:
            p += 1
            continue
        if p + 1 >= len(data):
            break
        ln = data[p + 1]
        out.setdefault(code, data[p + 2:p + 2 + ln])
        p += 2 + ln
    return out


def encapsulated_codes(value):
    """The codes of the items of an encapsulated option."""
    codes, p = [], 0
    while p + 1 < len(value):
        codes.append(value[p])
        p += 2 + value[p + 1]
    return codes


def main():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((IFACE, 0))
    print("Sniffing %s" % IFACE, file=sys.stderr, flush=True)
    while True:
        frame = s.recv(65535)
        ip = frame[14:]
        if len(ip) < 20 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4:]
        if len(udp) < 8 or struct.unpack("!H", udp[2:4])[0] != 67:
            continue
        bootp = udp[8:]
        if len(bootp) < 240 or bootp[0] != 1:
            continue
        opts = options(bootp)
        mac = ":".join("%02x" % b for b in bootp[28:34])
        xid = struct.unpack("!I", bootp[4:8])[0]
        typ = opts.get(53, b"\x00")[0] if opts.get(53) else 0
        feat = ",".join(str(c) for c in encapsulated_codes(opts[175])) if 175 in opts else "-"
        with open(LOG, "a") as f:
            f.write("%s %d %d features=%s\n" % (mac, xid, typ, feat))


main()
