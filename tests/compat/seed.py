#!/usr/bin/python3
"""The seed's own code, taken at test time from ../shared/seeds (never copied
into this repository), used as the oracle for pxeinv's compatibility.

  seed.py merge [-f PREFIX] DIR     run the seed's merge.py, unchanged
  seed.py kernel DIR                print, per installed node, the seed
                                    template's kernel line, from merge.py's
                                    output and the template's own printf
                                    formats
  seed.py ipxeconf DIR ORDER.JSON   render the seed's ipxe.conf template for
                                    merge.py's nodes of DIR, in the order of
                                    ORDER.JSON (`pxeinv merge` output)
  seed.py inventory DIR             write the post's example files
                                    (nodes/_defaults.yaml, ...) under DIR

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


def template_ipxe_conf(nodes):
    """Render the seed's ipxe.conf template (gomplate, whitespace-trimmed
    actions as in the post) for a list of merged nodes."""
    text = seed_text()
    start = text.index("#!ipxe\n")
    end = text.index("{{ range", start)
    out = text[start:end]
    lines = dict((l.split("\t")[0], l.split("\t", 1)[1])
                 for l in template_kernel_lines(nodes))
    initrd = re.search(r"\ninitrd (.+)\n", text).group(1)
    for n in nodes:
        if not n.get("install"):
            out += "\n"
            continue
        url = initrd.replace("{{ .schematicID }}", str(n.get("schematicID")))
        url = url.replace("{{ .talosVersion }}", str(n.get("talosVersion")))
        out += "\n# %s\n:node_%s\nimgfree\n%s\ninitrd %s\nboot\n" % (
            n["filename"], n.get("serial"), lines[n["hostname"]], url)
    return out + "\n"


def write_inventory(root):
    """Write the example files the post shows, unchanged."""
    text = seed_text()
    for path, body in re.findall(r"\n(nodes/\S+\.yaml) :\n\n(.*?)(?=\n\n)",
                                 text, re.S):
        dest = os.path.join(root, os.path.relpath(path, "nodes"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(body + "\n")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "merge":
        sys.stdout.write(run_merge(sys.argv[2:]))
    elif len(sys.argv) == 3 and sys.argv[1] == "kernel":
        nodes = json.loads(run_merge([sys.argv[2]]))
        for l in sorted(template_kernel_lines(nodes)):
            print(l)
    elif len(sys.argv) == 4 and sys.argv[1] == "ipxeconf":
        nodes = dict((n["filename"], n)
                     for n in json.loads(run_merge([sys.argv[2]])))
        with open(sys.argv[3], encoding="utf-8") as f:
            order = [n["filename"] for n in json.load(f)]
        sys.stdout.write(template_ipxe_conf([nodes[k] for k in order]))
    elif len(sys.argv) == 3 and sys.argv[1] == "inventory":
        write_inventory(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
