#!/usr/bin/env python3
"""Offline checks of packaging/kubernetes against the image.

Every expected value is read from the files that define the image (the
Containerfile, packaging/container/entrypoint.sh and dnsmasq.conf,
tests/container/run.sh, packaging/gitlab-ci.yml), so that a change on
either side that the other does not follow fails a check.

  check.py [--root DIR]            check DIR's manifests (default: the repo)
  check.py --drift [--root DIR]    check that each known drift, applied to a
                                   copy of DIR, fails the check it should

Prints "PASS name" or "FAIL name: why" per check; exits 1 on a failure.
"""

import argparse
import os
import posixpath
import re
import shutil
import sys
import tempfile

import yaml

MANIFESTS = "packaging/kubernetes"
KNOWN_KINDS = {
    "Namespace": "v1",
    "ConfigMap": "v1",
    "DaemonSet": "apps/v1",
    "Deployment": "apps/v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
}


class Failure(Exception):
    """A check that does not hold; its message says why."""


def read(root, path):
    """The text of root/path.

    @v root  the repository (or a copy)
    @v path  a path inside it
    @ret text  the file's text, its continuation lines joined
    """
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read().replace("\\\n", " ")


def one(pattern, text, what):
    """The first group of pattern's first match in text.

    @v pattern  a regular expression with one group
    @v text     where to look
    @v what     what the value is, for the message
    @ret value  the group, or Failure when the pattern does not match
    """
    m = re.search(pattern, text, re.M)
    if not m:
        raise Failure(f"cannot find {what} (/{pattern}/)")
    return m.group(1)


def image_facts(root):
    """What the image is, read from the files that build and run it.

    @v root  the repository
    @ret facts  a dict: name, uid, gid, caps, state, nodes, confdir,
                conffilter, env, installed, executable, repo_nodes
    """
    cf = read(root, "Containerfile")
    final = cf[cf.rindex("\nFROM "):]
    entry = read(root, "packaging/container/entrypoint.sh")
    conf = read(root, "packaging/container/dnsmasq.conf")
    ctest = read(root, "tests/container/run.sh")
    ci = read(root, "packaging/gitlab-ci.yml")
    f = {}
    f["name"] = one(r"^#.*\s-t\s+(\S+)\s+\.(?:\s|$)", cf, "the image name the Containerfile's header tags")
    tested = one(r"^IMAGE=(\S+)", ctest, "the image tests/container builds")
    tested = tested.rsplit("/", 1)[-1].split(":", 1)[0]
    if tested != f["name"]:
        raise Failure(f"tests/container builds '{tested}', the Containerfile names '{f['name']}'")
    user = one(r"^USER\s+(\S+)", final, "the image's USER")
    f["uid"] = int(one(r"useradd\s[^&;\n]*--uid\s+(\d+)[^&;\n]*\s" + re.escape(user) + r"\s*$",
                       final, f"useradd --uid of user {user}"))
    group = one(r"useradd\s[^&;\n]*--gid\s+(\S+)[^&;\n]*\s" + re.escape(user) + r"\s*$",
                final, f"useradd --gid of user {user}")
    f["gid"] = int(group) if group.isdigit() else int(
        one(r"groupadd\s[^&;\n]*--gid\s+(\d+)\s+" + re.escape(group) + r"\b", final, f"groupadd --gid of {group}"))
    setcap = one(r"setcap\s+(\S+)=\S*\s+/usr/sbin/dnsmasq\b", final, "setcap of /usr/sbin/dnsmasq")
    f["caps"] = {c.upper().removeprefix("CAP_") for c in setcap.split(",")}
    documented = set(one(r"^#.*--cap-add=([A-Z_,]+)", cf, "the Containerfile header's --cap-add").split(","))
    if documented != f["caps"]:
        raise Failure(f"the Containerfile's header adds {sorted(documented)}, setcap gives {sorted(f['caps'])}")
    f["state"] = one(r"^STATE=\$\{PXEINV_STATE_DIR:-([^}]+)\}", entry, "the entrypoint's state directory")
    volume = one(r"^VOLUME\s+(\S+)", final, "the image's VOLUME")
    if volume != f["state"]:
        raise Failure(f"the image's VOLUME is {volume}, the entrypoint's state is {f['state']}")
    f["nodes"] = one(r"^NODES=\$\{PXEINV_NODES:-([^}]+)\}", entry, "the entrypoint's inventory")
    f["confdir"] = one(r"^conf-dir=([^,\n]+)", conf, "dnsmasq.conf's conf-dir")
    f["conffilter"] = one(r"^conf-dir=[^,\n]+,(\S+)", conf, "dnsmasq.conf's conf-dir filter")
    f["env"] = set(re.findall(r"\$\{?(PXEINV_[A-Z_]+)", entry))
    copies = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s+(\S+)\s*$", final, re.M)
    f["installed"] = {dst for _, dst in copies}
    f["executable"] = set(" ".join(re.findall(r"chmod\s+0?755\s+([^&;\n]+)", final)).split())
    f["entrypoint"] = one(r'^ENTRYPOINT\s+\["([^"]+)"', final, "the image's ENTRYPOINT")
    f["repo_nodes"] = one(r"pxeinv check (\S+?)/?\s*$", ci, "the inventory directory gitlab-ci.yml checks")
    return f


def load_manifests(root):
    """Every YAML document of the manifest directory.

    @v root  the repository
    @ret docs  a list of (file name, document); Failure when one does not parse
    """
    docs = []
    d = os.path.join(root, MANIFESTS)
    for name in sorted(os.listdir(d)):
        if not name.endswith((".yaml", ".yml")):
            continue
        try:
            with open(os.path.join(d, name), encoding="utf-8") as fh:
                docs += [(name, doc) for doc in yaml.safe_load_all(fh) if doc is not None]
        except yaml.YAMLError as e:
            raise Failure(f"{name}: {e}".replace("\n", " ")) from e
    if not docs:
        raise Failure(f"no manifest in {MANIFESTS}")
    return docs


def workloads(docs):
    """The pod templates of the DaemonSets and Deployments.

    @v docs  the manifests
    @ret specs  a list of (name, pod spec)
    """
    return [(d["metadata"]["name"], d["spec"]["template"]["spec"])
            for _, d in docs if d.get("kind") in ("DaemonSet", "Deployment")]


def pxeinv_container(spec, facts):
    """The container of a pod spec that runs the pxeinv image.

    @v spec   a pod spec
    @v facts  image_facts()
    @ret container  the container; Failure when there is not exactly one
    """
    found = [c for c in spec.get("containers", [])
             if c.get("image", "").rsplit("/", 1)[-1].split(":", 1)[0] == facts["name"]]
    if len(found) != 1:
        images = [c.get("image") for c in spec.get("containers", [])]
        raise Failure(f"{len(found)} containers run image '{facts['name']}' (images: {images})")
    return found[0]


def mount_of(container, spec, path):
    """The volume mount of a container under which path lies.

    @v container  a container
    @v spec       its pod spec
    @v path       an absolute path
    @ret mount, volume  the deepest such mount and its volume, or None, None
    """
    best = None
    for m in container.get("volumeMounts", []):
        mp = m["mountPath"].rstrip("/")
        if (path == mp or path.startswith(mp + "/")) and (best is None or len(mp) > len(best["mountPath"])):
            best = m
    if best is None:
        return None, None
    vols = [v for v in spec.get("volumes", []) if v["name"] == best["name"]]
    if len(vols) != 1:
        raise Failure(f"mount {best['mountPath']} names volume '{best['name']}', which the pod does not define")
    return best, vols[0]


def env_of(container):
    """A container's environment.

    @v container  a container
    @ret env  a dict of name to value (None for valueFrom)
    """
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def check_kinds(root, docs, facts):
    """Every document is a kind this deployment uses, at its apiVersion.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, d in docs:
        kind, api = d.get("kind"), d.get("apiVersion")
        if KNOWN_KINDS.get(kind) != api:
            raise Failure(f"{name}: {api} {kind} is not one of {sorted(KNOWN_KINDS.items())}")


def check_kustomization(root, docs, facts):
    """kustomization.yaml lists every manifest, the namespace, and the image.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    ks = [d for _, d in docs if d.get("kind") == "Kustomization"]
    if len(ks) != 1:
        raise Failure(f"{len(ks)} kustomization.yaml")
    k = ks[0]
    files = {n for n, d in docs if d.get("kind") != "Kustomization"}
    listed = set(k.get("resources", []))
    if listed != files:
        raise Failure(f"resources {sorted(listed)} are not the manifests {sorted(files)}")
    names = {i.get("name") for i in k.get("images", [])}
    if names != {facts["name"]}:
        raise Failure(f"images names {sorted(names)}, not the image '{facts['name']}'")
    spaces = {d["metadata"]["name"] for _, d in docs if d.get("kind") == "Namespace"}
    if k.get("namespace") not in spaces:
        raise Failure(f"namespace '{k.get('namespace')}' is not among the Namespaces {sorted(spaces)}")


def check_workloads(root, docs, facts):
    """The workload runs the image, untagged (kustomize sets it), with its ENTRYPOINT.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    if not workloads(docs):
        raise Failure("no DaemonSet or Deployment")
    for name, spec in workloads(docs):
        c = pxeinv_container(spec, facts)
        if c.get("image") != facts["name"]:
            raise Failure(f"{name}: image '{c.get('image')}' is not '{facts['name']}', which kustomization.yaml rewrites")
        if "command" in c:
            raise Failure(f"{name}: command overrides the image's ENTRYPOINT {facts['entrypoint']}")


def check_host_network(root, docs, facts):
    """The pods are on the host's network: DHCP and TFTP on the segment.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        if spec.get("hostNetwork") is not True:
            raise Failure(f"{name}: hostNetwork is {spec.get('hostNetwork')}")


def check_user(root, docs, facts):
    """pxeinv runs as the image's user and group, non-root.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        sc = pxeinv_container(spec, facts).get("securityContext", {})
        got = (sc.get("runAsUser"), sc.get("runAsGroup"), sc.get("runAsNonRoot"))
        if got != (facts["uid"], facts["gid"], True):
            raise Failure(f"{name}: runAsUser, runAsGroup, runAsNonRoot {got}, "
                          f"the image's user is {facts['uid']}:{facts['gid']}")


def check_capabilities(root, docs, facts):
    """Exactly dnsmasq's file capabilities, no_new_privs off, none for the others.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        sc = pxeinv_container(spec, facts).get("securityContext", {})
        caps = sc.get("capabilities", {})
        if caps.get("drop") != ["ALL"] or set(caps.get("add", [])) != facts["caps"] or \
                len(caps.get("add", [])) != len(facts["caps"]):
            raise Failure(f"{name}: drop {caps.get('drop')} add {caps.get('add')}, "
                          f"dnsmasq's file capabilities are {sorted(facts['caps'])}")
        if sc.get("privileged"):
            raise Failure(f"{name}: privileged")
        # no_new_privs makes the kernel ignore dnsmasq's file capabilities
        if sc.get("allowPrivilegeEscalation") is False:
            raise Failure(f"{name}: allowPrivilegeEscalation false disables dnsmasq's file capabilities")
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            if c is not pxeinv_container(spec, facts) and c.get("securityContext", {}).get("capabilities", {}).get("add"):
                raise Failure(f"{name}: container {c['name']} adds capabilities")


def check_state(root, docs, facts):
    """A writable volume at the entrypoint's state directory.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        c = pxeinv_container(spec, facts)
        state = env_of(c).get("PXEINV_STATE_DIR") or facts["state"]
        m, v = mount_of(c, spec, state)
        if m is None or m["mountPath"].rstrip("/") != state or m.get("readOnly"):
            raise Failure(f"{name}: no writable volume at the state directory {state}")
        if "emptyDir" not in v and "hostPath" not in v and "persistentVolumeClaim" not in v:
            raise Failure(f"{name}: state volume '{v['name']}' is neither hostPath, PVC nor emptyDir")


def check_inventory(root, docs, facts):
    """PXEINV_NODES is the inventory git-sync publishes, and PXEINV_WATCH follows it.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        c = pxeinv_container(spec, facts)
        nodes = env_of(c).get("PXEINV_NODES") or facts["nodes"]
        m, v = mount_of(c, spec, nodes)
        if m is None:
            raise Failure(f"{name}: no volume holds the inventory {nodes}")
        syncs = [g for g in spec.get("containers", []) + spec.get("initContainers", [])
                 if "git-sync/git-sync:v4" in g.get("image", "")]
        if not any(g in spec.get("containers", []) for g in syncs):
            raise Failure(f"{name}: no git-sync v4 sidecar")
        rel = posixpath.relpath(nodes, m["mountPath"])
        for g in syncs:
            env = env_of(g)
            args = dict(a.lstrip("-").split("=", 1) for a in g.get("args", []) if "=" in a)
            root_dir = args.get("root") or env.get("GITSYNC_ROOT")
            link = args.get("link") or env.get("GITSYNC_LINK")
            if not root_dir or not link:
                raise Failure(f"{name}: {g['name']} sets no --root and --link")
            gm, gv = mount_of(g, spec, root_dir)
            if gv is None or gv["name"] != v["name"] or gm.get("readOnly"):
                raise Failure(f"{name}: {g['name']} does not write {root_dir} to volume '{v['name']}'")
            want = posixpath.normpath(posixpath.join(posixpath.relpath(root_dir, gm["mountPath"]), link,
                                                     facts["repo_nodes"]))
            if rel != want:
                raise Failure(f"{name}: PXEINV_NODES={nodes} is {rel} in volume '{v['name']}', "
                              f"{g['name']} publishes the repository's {facts['repo_nodes']}/ as {want}")
        watch = env_of(c).get("PXEINV_WATCH")
        if not re.fullmatch(r"[1-9][0-9]*", watch or ""):
            raise Failure(f"{name}: PXEINV_WATCH is '{watch}': git-sync's new revisions would not be compiled")


def check_environment(root, docs, facts):
    """The PXEINV_ variables set are ones the entrypoint reads.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        unknown = {n for n in env_of(pxeinv_container(spec, facts)) if n.startswith("PXEINV_")} - facts["env"]
        if unknown:
            raise Failure(f"{name}: the entrypoint does not read {sorted(unknown)}")


def check_dnsmasq_options(root, docs, facts):
    """A ConfigMap at dnsmasq's conf-dir, with a key it reads that names interface=.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    maps = {d["metadata"]["name"]: d for _, d in docs if d.get("kind") == "ConfigMap"}
    for name, spec in workloads(docs):
        c = pxeinv_container(spec, facts)
        m, v = mount_of(c, spec, facts["confdir"])
        if m is None or m["mountPath"].rstrip("/") != facts["confdir"] or "configMap" not in v:
            raise Failure(f"{name}: no ConfigMap mounted at dnsmasq's conf-dir {facts['confdir']}")
        cm = maps.get(v["configMap"]["name"])
        if cm is None:
            raise Failure(f"{name}: ConfigMap '{v['configMap']['name']}' is not among the manifests")
        keys = [k for k in cm.get("data", {}) if posixpath.basename(k) == k and
                re.fullmatch(facts["conffilter"].replace(".", r"\.").replace("*", ".*"), k)]
        if not keys:
            raise Failure(f"{name}: ConfigMap '{cm['metadata']['name']}' has no key that conf-dir's "
                          f"{facts['conffilter']} reads")
        text = "\n".join(cm["data"][k] for k in keys)
        if not re.search(r"^interface=\S", text, re.M):
            raise Failure(f"{name}: with hostNetwork the options must name the segment's interface=")


def check_probes(root, docs, facts):
    """Liveness and readiness probes exec an executable the Containerfile installs.

    @v root, docs, facts  the repository, load_manifests(), image_facts()
    @ret None; Failure when the check does not hold
    """
    for name, spec in workloads(docs):
        c = pxeinv_container(spec, facts)
        probes = [p for p in ("startupProbe", "livenessProbe", "readinessProbe") if p in c]
        if "livenessProbe" not in probes or "readinessProbe" not in probes:
            raise Failure(f"{name}: probes {probes}")
        for p in probes:
            cmd = c[p].get("exec", {}).get("command", [None])[0]
            if cmd not in facts["installed"] or cmd not in facts["executable"]:
                raise Failure(f"{name}: {p} runs '{cmd}', which the Containerfile does not install executable")


CHECKS = [
    ("kinds and apiVersions are known", check_kinds),
    ("kustomization lists every manifest and rewrites the image", check_kustomization),
    ("the workload runs the image with its entrypoint", check_workloads),
    ("hostNetwork", check_host_network),
    ("runs as the image's user, non-root", check_user),
    ("capabilities are dnsmasq's file capabilities", check_capabilities),
    ("state volume at the entrypoint's state directory", check_state),
    ("PXEINV_NODES is git-sync's link to the repository's inventory", check_inventory),
    ("environment variables are the entrypoint's", check_environment),
    ("dnsmasq options from a ConfigMap at conf-dir", check_dnsmasq_options),
    ("probes run a command the image installs", check_probes),
]


def run_checks(root):
    """Every check on root's manifests.

    @v root  the repository (or a copy)
    @ret results  a list of (check name, None or why it failed)
    """
    try:
        facts = image_facts(root)
    except Failure as e:
        return [("the image's facts", str(e))]
    try:
        docs = load_manifests(root)
    except Failure as e:
        return [("the manifests parse", str(e))]
    results = [("the manifests parse", None)]
    for name, check in CHECKS:
        try:
            check(root, docs, facts)
            results.append((name, None))
        except (Failure, KeyError, TypeError, AttributeError) as e:
            results.append((name, str(e) or type(e).__name__))
    return results


# A drift: (what, file, old text, new text, the check that must fail).
DRIFTS = [
    ("runAsUser 0", f"{MANIFESTS}/daemonset.yaml", "runAsUser: 999", "runAsUser: 0",
     "runs as the image's user, non-root"),
    ("the image's uid changes", "Containerfile", "--uid 999", "--uid 1000", "runs as the image's user, non-root"),
    ("a fourth capability", f"{MANIFESTS}/daemonset.yaml", "add: [NET_ADMIN,", "add: [SYS_ADMIN, NET_ADMIN,",
     "capabilities are dnsmasq's file capabilities"),
    ("allowPrivilegeEscalation false", f"{MANIFESTS}/daemonset.yaml", "allowPrivilegeEscalation: true",
     "allowPrivilegeEscalation: false", "capabilities are dnsmasq's file capabilities"),
    ("hostNetwork false", f"{MANIFESTS}/daemonset.yaml", "hostNetwork: true", "hostNetwork: false", "hostNetwork"),
    ("another image", f"{MANIFESTS}/daemonset.yaml", "image: pxeinv\n", "image: pxeinv-other\n",
     "the workload runs the image with its entrypoint"),
    ("the image is renamed", "Containerfile", "-t pxeinv .", "-t pxe .", "the image's facts"),
    ("the state directory moves", "packaging/container/entrypoint.sh", "PXEINV_STATE_DIR:-/var/lib/pxeinv",
     "PXEINV_STATE_DIR:-/var/lib/pxe", "the image's facts"),
    ("the state mount moves", f"{MANIFESTS}/daemonset.yaml", "mountPath: /var/lib/pxeinv",
     "mountPath: /var/lib/pxe", "state volume at the entrypoint's state directory"),
    ("PXEINV_NODES misses the link", f"{MANIFESTS}/daemonset.yaml", "value: /git/inventory/nodes",
     "value: /git/nodes", "PXEINV_NODES is git-sync's link to the repository's inventory"),
    ("git-sync's link renamed", f"{MANIFESTS}/daemonset.yaml", "value: inventory\n", "value: repo\n",
     "PXEINV_NODES is git-sync's link to the repository's inventory"),
    ("no PXEINV_WATCH", f"{MANIFESTS}/daemonset.yaml", "name: PXEINV_WATCH", "name: PXEINV_WATCHING",
     "PXEINV_NODES is git-sync's link to the repository's inventory"),
    ("an unknown variable", f"{MANIFESTS}/daemonset.yaml", "name: PXEINV_NODES\n",
     "name: PXEINV_NODES\n              value: /git/inventory/nodes\n            - name: PXEINV_NODE_DIR\n",
     "environment variables are the entrypoint's"),
    ("conf-dir moves", "packaging/container/dnsmasq.conf", "conf-dir=/etc/pxeinv/dnsmasq.d,",
     "conf-dir=/etc/dnsmasq.d,", "dnsmasq options from a ConfigMap at conf-dir"),
    ("a key conf-dir skips", f"{MANIFESTS}/configmap.yaml", "site.conf:", "site.cfg:",
     "dnsmasq options from a ConfigMap at conf-dir"),
    ("no interface=", f"{MANIFESTS}/configmap.yaml", "    interface=eth1", "    # interface=eth1",
     "dnsmasq options from a ConfigMap at conf-dir"),
    ("a probe the image lacks", f"{MANIFESTS}/daemonset.yaml", "command: [/usr/lib/pxeinv/probe]",
     "command: [/usr/lib/pxeinv/healthz]", "probes run a command the image installs"),
    ("an unknown kind", f"{MANIFESTS}/namespace.yaml", "kind: Namespace", "kind: Namespaces",
     "kinds and apiVersions are known"),
    ("a manifest left out", f"{MANIFESTS}/kustomization.yaml", "  - configmap.yaml\n", "",
     "kustomization lists every manifest and rewrites the image"),
    ("a manifest that does not parse", f"{MANIFESTS}/configmap.yaml", "data:", "data: [", "the manifests parse"),
]


def copy_inputs(root, dst):
    """Copy the files the checks read.

    @v root  the repository
    @v dst   an empty directory
    """
    for path in ("Containerfile", "packaging/container", "tests/container/run.sh",
                 "packaging/gitlab-ci.yml", MANIFESTS):
        src = os.path.join(root, path)
        os.makedirs(os.path.dirname(os.path.join(dst, path)), exist_ok=True)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(dst, path))


def run_drifts(root):
    """Apply each drift to a copy of root and see its check fail.

    @v root  the repository
    @ret results  a list of (drift name, None or why the drift went unseen)
    """
    results = []
    for what, path, old, new, check in DRIFTS:
        with tempfile.TemporaryDirectory() as tmp:
            copy_inputs(root, tmp)
            text = open(os.path.join(tmp, path), encoding="utf-8").read()
            if text.count(old) < 1:
                results.append((f"drift: {what}", f"'{old.strip()}' is not in {path}"))
                continue
            with open(os.path.join(tmp, path), "w", encoding="utf-8") as fh:
                fh.write(text.replace(old, new))
            failed = dict(run_checks(tmp))
            why = None if failed.get(check) else f"'{check}' did not fail: {failed}"
            results.append((f"drift: {what} fails '{check}'", why))
    return results


def main():
    """Run the checks, or the drifts, and print one line per result.

    @ret rc  0 when all pass, 1 otherwise
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--drift", action="store_true")
    a = ap.parse_args()
    results = run_drifts(a.root) if a.drift else run_checks(a.root)
    for name, why in results:
        print(f"FAIL {name}: {why}" if why else f"PASS {name}")
    return 1 if any(why for _, why in results) else 0


if __name__ == "__main__":
    sys.exit(main())
