#!/usr/bin/python3
"""The seed's own code, taken at test time from ../shared/seeds (never copied
into this repository), used as the oracle for pxeinv's compatibility.

  seed.py merge [-f PREFIX] DIR     run the seed's merge.py, unchanged
  seed.py kernel DIR                print, per installed node, the seed
                                    template's kernel line, from merge.py's
                                    output and the template's own printf
                                    formats

merge.py calls pathlib.Path.walk(), which only exists from Python 3.12;
on Debian bookworm (3.11) a few lines supply it over os.walk, as
../shared/notes/seeds-and-conventions.md describes.
"""
import glob
import io
import json
import os
import pathlib
import re
import sys
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.environ.get("PXEINV_SEEDS",
                       os.path.join(HERE, "..", "..", "..", "shared", "seeds"))


def seed_text():
    """Return the text of the Enix seed post."""
    paths = glob.glob(os.path.join(SEEDS, "000_*"))
    if not paths:
        sys.exit("seed.py: no seed 000_* in %s (set PXEINV_SEEDS)" % SEEDS)
    with open(paths[0], encoding="utf-8") as f:
        return f.read()


def merge_py_source():
    """Cut merge.py out of the post, from its shebang to main(args)."""
    text = seed_text()
    start = text.index("#!/usr/bin/env python")
    end = text.index("    main(args)", start) + len("    main(args)")
    return text[start:end] + "\n"


def walk(self, top_down=True, on_error=None, follow_symlinks=False):
    """Path.walk for Python < 3.12, over os.walk."""
    for dirpath, dirnames, filenames in os.walk(
            self, topdown=top_down, onerror=on_error,
            followlinks=follow_symlinks):
        yield pathlib.Path(dirpath), dirnames, filenames


def run_merge(argv):
    """Run the seed's merge.py with argv; return its stdout."""
    if not hasattr(pathlib.Path, "walk"):
        pathlib.Path.walk = walk
    out = io.StringIO()
    old = sys.argv
    sys.argv = ["merge.py"] + argv
    try:
        with redirect_stdout(out):
            exec(compile(merge_py_source(), "merge.py", "exec"),
                 {"__name__": "__main__"})
    finally:
        sys.argv = old
    return out.getvalue()


def go_printf(fmt, *args):
    """Go's fmt.Sprintf for the %s and %d verbs the template uses."""
    return fmt.replace("%d", "%s") % tuple(
        "%!s(<nil>)" if a is None else a for a in args)


def template_kernel_lines(nodes):
    """Render the seed template's kernel lines with its printf formats."""
    text = seed_text()
    ip_fmt = re.search(r'\$ipArg := printf "([^"]*)"', text).group(1)
    vlan_fmt = re.search(r'\$vlanArg := printf "([^"]*)"', text).group(1)
    args_fmt = re.search(r'\$kernelArgs := printf "([^"]*)"', text).group(1)
    line = re.search(r"\nkernel (.+?) \{\{ \$kernelArgs \}\}", text).group(1)
    out = []
    for n in nodes:
        if not n.get("install"):
            continue
        g = n.get
        ip = go_printf(ip_fmt, g("ip"), g("gateway"), g("netmask"),
                       g("hostname"), g("interface"), g("vlan"), g("dns0"),
                       g("dns1"), g("ntp"))
        vlan = go_printf(vlan_fmt, g("interface"), g("vlan"), g("interface"))
        args = go_printf(args_fmt, ip, vlan, g("kernelArgs"))
        url = line.replace("{{ .schematicID }}", str(g("schematicID")))
        url = url.replace("{{ .talosVersion }}", str(g("talosVersion")))
        out.append("%s\tkernel %s %s" % (g("hostname"), url, args))
    return out


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "merge":
        sys.stdout.write(run_merge(sys.argv[2:]))
    elif len(sys.argv) == 3 and sys.argv[1] == "kernel":
        nodes = json.loads(run_merge([sys.argv[2]]))
        for l in sorted(template_kernel_lines(nodes)):
            print(l)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
