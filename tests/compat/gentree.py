#!/usr/bin/python3
"""Generate nodes/ trees for tests and benchmarks.

  gentree.py tricky DIR SEED     a small tree full of YAML 1.1 corner cases
                                 (for comparing `pxeinv merge` with merge.py)
  gentree.py fleet DIR COUNT     a valid tree of COUNT nodes shaped like the
                                 seed's (clusters of racks, defaults at each
                                 level), for benchmarks
"""
import os
import random
import sys

SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
KERNEL_ARGS = ("talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge "
               "pti=on consoleblank=0 nvme_core.io_timeout=4294967295 "
               "printk.devkmsg=on ima_template=ima-ng ima_appraise=fix "
               "ima_hash=sha512")

# Plain and quoted scalars whose PyYAML typing pxeinv must reproduce.
TRICKY = [
    "yes", "No", "on", "OFF", "true", "False", "~", "null", "", "0",
    "017", "0o17", "0x1F", "0b101", "1_000", "190:20:30", "09", "0012345",
    "1.5", "1e5", "1.0e+5", "-.inf", ".NaN", ".5", "1.", "+12", "-0",
    "52:54:00:12:34:56", "00:11:22:33:44:55", "aa:bb:cc:dd:ee:ff",
    "1:30.5", "12345678901234567890", "3.14159265358979", "1e-7",
    "0.000001", "100000000000000000.0", '"quoted yes"', "'single'",
    "\"caf\\u00e9\"", "plain text with spaces", "v1.9.5", "192.168.1.1",
    "\"tab\\there\"", "<<x", "- not a list",
]


def w(path, text):
    """Write a file, creating its directory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def scalar(rnd):
    """A tricky value, sometimes a list or a mapping.

    Flow collections get no empty items: libyaml reads "[, ~]" and PyYAML's
    pure-Python parser (merge.py's) refuses it, a parser difference that
    pxeinv does not copy."""
    flow = [v for v in TRICKY[:30] if v]
    r = rnd.random()
    if r < 0.1:
        return "[%s, %s]" % (rnd.choice(flow), rnd.choice(flow))
    if r < 0.15:
        return "{a: %s, b: %s}" % (rnd.choice(flow), rnd.choice(flow))
    v = rnd.choice(TRICKY)
    if v.startswith("- "):
        return '"%s"' % v
    return v


def tricky(root, seed):
    """A small tree of corner cases, merged at several depths."""
    rnd = random.Random(seed)
    keys = ["k%d" % i for i in range(12)] + ["install", "vlan", "serial"]
    dirs = [""]
    for _ in range(rnd.randint(2, 6)):
        parent = rnd.choice(dirs)
        dirs.append(os.path.join(parent, "d%d" % rnd.randint(0, 99)))
    n = 0
    for d in dirs:
        if rnd.random() < 0.7:
            body = "".join("%s: %s\n" % (k, scalar(rnd))
                           for k in rnd.sample(keys, rnd.randint(1, 6)))
            w(os.path.join(root, d, "_defaults.yaml"), body)
        for _ in range(rnd.randint(0, 4)):
            n += 1
            body = "".join("%s: %s\n" % (k, scalar(rnd))
                           for k in rnd.sample(keys, rnd.randint(1, 6)))
            ext = ".yml" if rnd.random() < 0.2 else ".yaml"
            w(os.path.join(root, d, "node-%03d%s" % (n, ext)), body)


def fleet(root, count):
    """COUNT valid nodes: 10 clusters, racks of 40, defaults per level."""
    w(os.path.join(root, "_defaults.yaml"),
      "schematicID: %s\ntalosVersion: v1.9.5\nkernelArgs: %s\n"
      "dns0: 1.1.1.1\ndns1: 8.8.8.8\nntp: fr.pool.ntp.org\ninstall: false\n"
      % (SCHEMATIC, KERNEL_ARGS))
    clusters = max(1, min(10, count // 40))
    for i in range(count):
        c, r = i % clusters, (i // clusters) // 40
        cdir = os.path.join(root, "cluster-%02d" % c)
        rdir = os.path.join(cdir, "rack-%03d" % r)
        if not os.path.exists(os.path.join(cdir, "_defaults.yaml")):
            w(os.path.join(cdir, "_defaults.yaml"),
              "netmask: 255.240.0.0\ngateway: 10.%d.0.1\nvlan: %d\n"
              "interface: ens1\n" % (16 + c, 100 + c))
        if not os.path.exists(os.path.join(rdir, "_defaults.yaml")):
            w(os.path.join(rdir, "_defaults.yaml"), "install: true\n")
        host = i // clusters
        w(os.path.join(rdir, "node-%06d.yaml" % i),
          "serial: SN%08d\nmac: \"02:%02x:%02x:%02x:%02x:01\"\n"
          "ip: 10.%d.%d.%d\n" % (i, c, (host >> 16) & 255, (host >> 8) & 255,
                                  host & 255, 16 + c, 1 + (host >> 8),
                                  host & 255))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "tricky":
        tricky(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "fleet":
        fleet(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
