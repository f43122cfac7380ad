/*
 * `pxeinv compile NODES_DIR OUT_DIR`: check, then write every output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../inventory/compile.h"
#include "../inventory/compile_http.h"
#include "../inventory/manifest.h"
#include "../inventory/oom.h"
#include "../state/state.h"
#include "cli.h"

/** Where packages install the iPXE binaries */
#define COMPILE_SYSTEM_IPXE_DIR "/usr/lib/pxeinv/ipxe"

/**
 * Print this command's help.
 */
static void compile_help(void)
{
	printf("Usage: pxeinv compile [OPTIONS] NODES_DIR OUT_DIR\n\n"
	       "Check NODES_DIR (as 'pxeinv check' does; any error stops "
	       "here, exit 1), then\nwrite into OUT_DIR, atomically: a "
	       "failed or interrupted compile leaves\nOUT_DIR exactly as it "
	       "was.\n\n"
	       "  OUT_DIR/pxe-inventory.conf  dnsmasq fragment (include it "
	       "from /etc/dnsmasq.d)\n"
	       "  OUT_DIR/pxe-inventory.cdb   lookup cache for dnsmasq's "
	       "pxe-inventory=\n"
	       "  OUT_DIR/tftp/               TFTP root: iPXE binaries, "
	       "ipxe.conf (seed-compatible),\n"
	       "                              pxeinv/nodes/NODE.ipxe, "
	       "pxeinv/fallback.ipxe, pxeinv/exit.ipxe,\n"
	       "                              pxeinv/index/by-*/ID.ipxe "
	       "(the fallback's identity index)\n\n"
	       "Options:\n"
	       "  -f, --filter PREFIX   only nodes whose filename (DIR/STEM) "
	       "starts with PREFIX\n"
	       "      --ipxe-dir DIR    iPXE binaries to copy (default: "
	       "$PXEINV_IPXE_DIR, else\n"
	       "                        ../ipxe beside the pxeinv binary, "
	       "else " COMPILE_SYSTEM_IPXE_DIR ")\n"
	       "      --efi-full        hand UEFI x86-64 firmware ipxe.efi "
	       "(iPXE's own NIC\n"
	       "                        drivers) instead of snponly.efi "
	       "(the firmware's NIC\n"
	       "                        driver, smaller and quicker to "
	       "start)\n"
	       "      --proxy           write the fragment for proxy DHCP "
	       "beside another DHCP\n"
	       "                        server (the host's config has "
	       "dhcp-range=NETWORK,proxy):\n"
	       "                        pxe-inventory=...,proxy and "
	       "dhcp-pxe-vendor=PXEClient,HTTPClient\n"
	       "      --dhcp6-range RANGE  serve DHCPv6 on RANGE: writes "
	       "dhcp-range=RANGE and\n"
	       "                        enable-ra into the fragment "
	       "(repeatable, at most %d).\n"
	       "                        RANGE is dnsmasq's: "
	       "START,END[,constructor:IFACE][,MODE]\n"
	       "                        [,PREFIX-LEN][,LEASE], such as "
	       "fd00::100,fd00::1ff,64,1h\n"
	       "                        or ::100,::1ff,constructor:eth0,64,1h;"
	       " with an END, as UEFI\n"
	       "                        PXE and iPXE need a stateful "
	       "address (no ra-only,\n"
	       "                        ra-stateless or static); not with "
	       "--proxy\n"
	       "      --no-ra           no enable-ra (a router already sends "
	       "RAs with the M flag)\n"
	       "      --http-url URL    URL where OUT_DIR/tftp is served "
	       "over HTTP: UEFI HTTP\n"
	       "                        boot clients (arch 16 and 19) get "
	       "URL/snponly.efi, and\n"
	       "                        every iPXE gets its script as "
	       "URL/pxeinv/..., so no\n"
	       "                        script needs TFTP (firmware PXE "
	       "still gets its binary\n"
	       "                        over TFTP); without it, HTTP boot "
	       "clients get no file.\n"
	       "                        Every URL handed out must fit 127 "
	       "characters\n"
	       "      --image-base-url URL  image base every node's "
	       "script fetches its kernel,\n"
	       "                        initramfs or UKI from, instead of "
	       "its imageBaseURL\n"
	       "                        (a mirror written by 'pxeinv "
	       "mirror'; checked as imageBaseURL)\n"
	       "      --hook PATH       dhcp-script to set in the dnsmasq "
	       "fragment (pxeinv-hook)\n"
	       "      --state-dir DIR   pxeinv state directory, for "
	       "boot-once (install: once)\n"
	       "                        (default with --hook: $"
	       "PXEINV_STATE_DIR, else " PXEINV_STATE_DIR_DEFAULT ")\n"
	       "      --changes         list on stdout each node whose "
	       "script is new, changed\n"
	       "                        or gone since the OUT_DIR it "
	       "replaces: 'added NODE',\n"
	       "                        'changed NODE', 'removed NODE'\n"
	       "  -q, --quiet           no summary line\n"
	       "  -h, --help            show this help\n"
	       "  -V, --version         show the version\n\n"
	       "The summary line (on stderr) counts the node scripts "
	       "added, changed, removed\nand unchanged since the OUT_DIR "
	       "that the compile replaces.\n", COMPILE_DHCP6_RANGES_MAX);
}

/**
 * Take one --dhcp6-range: check it and add it to the settings.
 *
 * @v value     RANGE
 * @v target    struct compile_opts
 * @ret code    CLI_CONTINUE, or EXIT_USAGE after saying what is wrong
 */
static int compile_opt_dhcp6_range(const char *value, void *target)
{
	struct compile_opts *co = target;
	char err[COMPILE_DHCP6_RANGE_LEN_MAX + 512];

	if (compile_dhcp6_range_check(value, err, sizeof(err)) != 0)
		return cli_usage_error("compile", "%s", err);
	if (co->ndhcp6_ranges >= COMPILE_DHCP6_RANGES_MAX)
		return cli_usage_error("compile", "more than %d --dhcp6-range "
				       "options", COMPILE_DHCP6_RANGES_MAX);
	co->dhcp6_ranges[co->ndhcp6_ranges++] = value;
	return CLI_CONTINUE;
}

/**
 * Print the nodes whose scripts a compile added, changed or removed.
 *
 * @v nodes     Nodes
 * @v st        Counts of the compile
 */
static void compile_print_changes(const struct node *nodes,
				  const struct compile_stats *st)
{
	static const char *const what[] = {
		[MANIFEST_ADDED] = "added",
		[MANIFEST_CHANGED] = "changed",
	};
	size_t i;

	for (i = 0; i < st->nodes; i++)
		if (st->changes[i] != MANIFEST_SAME)
			printf("%s %s\n", what[st->changes[i]],
			       nodes[i].hostname);
	for (i = 0; i < st->nremoved; i++)
		printf("removed %s\n", st->removed[i]);
}

/**
 * Point every node at one image base (--image-base-url).
 *
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 * @v url       Image base, checked
 * @v arena     Arena for the copy without trailing '/'
 */
static void compile_set_image_base(struct node *nodes, size_t count,
				   const char *url, struct arena *arena)
{
	size_t len = strlen(url), i;
	char *base;

	while (len > 0 && url[len - 1] == '/')
		len--;
	base = arena_strndup(arena, url, len);
	for (i = 0; i < count; i++)
		nodes[i].image_base = base;
}

/**
 * Find the default iPXE binary directory.
 *
 * @v buf       Buffer for a computed path
 * @v size      Size of buf
 * @ret dir     Directory, or NULL when none exists
 */
static const char *compile_default_ipxe_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (getenv("PXEINV_IPXE_DIR"))
		return getenv("PXEINV_IPXE_DIR");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(buf, size, "%s/../ipxe", exe) <
				    (int)size &&
			    access(buf, F_OK) == 0)
				return buf;
		}
	}
	if (access(COMPILE_SYSTEM_IPXE_DIR, F_OK) == 0)
		return COMPILE_SYSTEM_IPXE_DIR;
	return NULL;
}

/**
 * Warn about iPXE features a fallback build lacks (BUILD-INFO).
 *
 * @v dir       iPXE binary directory
 */
static void compile_report_ipxe(const char *dir)
{
	char path[PATH_MAX + 16], line[256];
	int fallback = 0, identity = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/BUILD-INFO", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "source=debian-fallback", 22))
			fallback = 1;
		if (!strncmp(line, "features=", 9) && strstr(line, "identity"))
			identity = 1;
	}
	fclose(f);
	if (fallback || !identity)
		fprintf(stderr, "pxeinv compile: warning: the iPXE binaries in "
			"%s are Debian's prebuilt ones,\n  not pxeinv's build: "
			"BIOS clients do not report their serial and board "
			"serial\n  (UEFI ones run pxeinv's script from "
			"autoexec.ipxe), and TRUST= is unavailable;\n  build "
			"iPXE with IPXE_SRC=... ./build.sh ipxe\n", dir);
}

/**
 * Warn when the --http-url host is an address literal of one family while
 * the fragment serves the other: DHCPv6 clients (--dhcp6-range) handed an
 * IPv4 URL, or DHCPv4 clients handed an IPv6 one, on a segment that may
 * not route it.
 *
 * @v co        Settings (http_url set)
 */
static void compile_warn_http_family(const struct compile_opts *co)
{
	char host[INET6_ADDRSTRLEN + 2];
	struct in_addr a4;
	size_t off, len;

	if (check_url_host(co->http_url, &off, &len) != 0 || len < 2 ||
	    len >= sizeof(host))
		return;
	memcpy(host, co->http_url + off, len);
	host[len] = '\0';
	if (host[0] == '[')
		fprintf(stderr, "pxeinv compile: warning: --http-url %s is an "
			"IPv6 address: DHCPv4 clients (UEFI HTTP boot, iPXE) "
			"get URLs on it too; on a segment that also serves "
			"IPv4, give a host name that resolves in both "
			"families\n", host);
	else if (co->ndhcp6_ranges && inet_pton(AF_INET, host, &a4) == 1)
		fprintf(stderr, "pxeinv compile: warning: --http-url %s is an "
			"IPv4 address, but --dhcp6-range serves DHCPv6: "
			"DHCPv6 clients get URLs on it, which an IPv6-only "
			"segment cannot reach; give an IPv6 address in "
			"brackets or a host name\n", host);
}

/**
 * Warn about what HTTP boot clients get: nothing without --http-url; with
 * it, scripts over HTTP, which the hook does not see (boot-once).
 *
 * @v co        Settings
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 */
static void compile_warn_http(const struct compile_opts *co,
			      const struct node *nodes, size_t count)
{
	const char *first;
	size_t once;

	if (!co->http_url) {
		if (co->ipxe_dir && !co->quiet)
			fprintf(stderr, "pxeinv compile: warning: no "
				"--http-url: UEFI HTTP boot clients (arch 16 "
				"and 19) get no boot file; add --http-url "
				"http://HOST/PATH, where HOST serves "
				"OUT_DIR/tftp over HTTP\n");
		return;
	}
	compile_warn_http_family(co);
	once = compile_http_once_nodes(nodes, count, &first);
	if (once)
		fprintf(stderr, "pxeinv compile: warning: --http-url: %zu "
			"install: once node%s (%s%s) fetch%s %s script over "
			"HTTP, which the hook does not see: never marked "
			"installed, %s boot%s the installer at every network "
			"boot; use install: true, then false\n", once,
			once == 1 ? "" : "s", first, once == 1 ? "" : ", ...",
			once == 1 ? "es" : "", once == 1 ? "its" : "their",
			once == 1 ? "it" : "they", once == 1 ? "s" : "");
}

int cmd_compile(int argc, char **argv)
{
	struct compile_opts co = { 0 };
	struct compile_stats st = { 0 };
	struct inventory inv = { 0 };
	struct node *nodes = NULL;
	const char *filter = NULL, *image_base = NULL;
	char dirbuf[PATH_MAX], err[PATH_MAX + 256], *url = NULL;
	int code, rc, changes = 0;
	const struct cli_opt opts[] = {
		{ "filter", 'f', CLI_OPT_TEXT, &filter, NULL },
		{ "ipxe-dir", 0, CLI_OPT_TEXT, &co.ipxe_dir, NULL },
		{ "efi-full", 0, CLI_OPT_FLAG, &co.efi_full, NULL },
		{ "proxy", 0, CLI_OPT_FLAG, &co.proxy, NULL },
		{ "dhcp6-range", 0, CLI_OPT_CALL, &co,
		  compile_opt_dhcp6_range },
		{ "no-ra", 0, CLI_OPT_FLAG, &co.no_ra, NULL },
		{ "http-url", 0, CLI_OPT_TEXT, &co.http_url, NULL },
		{ "image-base-url", 0, CLI_OPT_TEXT, &image_base, NULL },
		{ "hook", 0, CLI_OPT_TEXT, &co.hook, NULL },
		{ "state-dir", 0, CLI_OPT_TEXT, &co.state_dir, NULL },
		{ "changes", 0, CLI_OPT_FLAG, &changes, NULL },
		{ "quiet", 'q', CLI_OPT_FLAG, &co.quiet, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "compile", compile_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 2)
		return cli_usage_error("compile", "expected NODES_DIR and "
				       "OUT_DIR");
	co.nodes_dir = argv[optind];
	co.out_dir = argv[optind + 1];
	if (co.proxy && co.ndhcp6_ranges)
		return cli_usage_error("compile", "--dhcp6-range cannot go "
				       "with --proxy: dnsmasq has no DHCPv6 "
				       "proxy mode, so this server would hand "
				       "out addresses; compile the DHCPv6 "
				       "segment without --proxy");
	if (co.no_ra && !co.ndhcp6_ranges)
		return cli_usage_error("compile", "--no-ra needs --dhcp6-range "
				       "(it leaves out the enable-ra that "
				       "goes with the ranges)");
	if (image_base && !check_image_base_is_valid(image_base))
		return cli_usage_error("compile", "--image-base-url must be an "
				       "http:// or https:// URL with a host "
				       "name or an IPv6 address in brackets, "
				       "in the characters imageBaseURL "
				       "allows (no spaces, quotes, '$', '{' "
				       "or '}')");
	if (co.http_url) {
		size_t len = strlen(co.http_url), i, host, hlen;

		if ((strncmp(co.http_url, "http://", 7) &&
		     strncmp(co.http_url, "https://", 8)) ||
		    strcspn(co.http_url, " \t\n\"'$;{}\\,") != len)
			return cli_usage_error("compile", "--http-url must be "
					       "an http:// or https:// URL "
					       "without spaces, quotes or "
					       "commas");
		if (check_url_host(co.http_url, &host, &hlen) == -EINVAL)
			return cli_usage_error("compile", "--http-url: "
					       CHECK_URL_IPV6_HINT);
		if (hlen == 0)
			return cli_usage_error("compile", "--http-url has no "
					       "host: write http://HOST/PATH");
		for (i = 0; i < len; i++)
			if (co.http_url[i] < 0x21 || co.http_url[i] > 0x7e)
				return cli_usage_error("compile", "--http-url "
						       "has a control or "
						       "non-ASCII character");
		url = strdup(co.http_url);
		if (!url)
			abort_out_of_memory("--http-url");
		while (len > 0 && url[len - 1] == '/')
			url[--len] = '\0';
		co.http_url = url;
	}
	if (co.hook && (co.hook[0] != '/' ||
			strcspn(co.hook, " \t\n\"',#") != strlen(co.hook))) {
		free(url);
		return cli_usage_error("compile", "--hook must be an absolute "
				       "path without spaces, quotes or commas");
	}
	if (co.hook && !co.state_dir)
		co.state_dir = state_dir_default();
	if (co.state_dir && (co.state_dir[0] != '/' ||
			     strcspn(co.state_dir, " \t\n\"',#") !=
			     strlen(co.state_dir))) {
		free(url);
		return cli_usage_error("compile", "--state-dir must be an "
				       "absolute path without spaces, quotes "
				       "or commas");
	}
	if (!co.ipxe_dir)
		co.ipxe_dir = compile_default_ipxe_dir(dirbuf, sizeof(dirbuf));
	if (!co.ipxe_dir)
		fprintf(stderr, "pxeinv compile: warning: no iPXE binaries "
			"found (--ipxe-dir); firmware PXE clients will not be "
			"steered\n");
	else if (!co.quiet)
		compile_report_ipxe(co.ipxe_dir);

	rc = cli_load_checked(&inv, co.nodes_dir, filter, &nodes);
	if (rc != EXIT_OK) {
		fprintf(stderr, "pxeinv compile: %zu errors; %s left "
			"unchanged\n", inv.diags.errors, co.out_dir);
		goto out;
	}
	if (co.http_url &&
	    compile_http_check(co.http_url, nodes, inv.n, err, sizeof(err))) {
		rc = cli_usage_error("compile", "%s", err);
		goto out;
	}
	compile_warn_http(&co, nodes, inv.n);
	if (image_base)
		compile_set_image_base(nodes, inv.n, image_base, &inv.arena);
	if (compile_write(&co, &inv, nodes, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "pxeinv compile: %s; %s left unchanged\n", err,
			co.out_dir);
		rc = EXIT_IO;
		goto out;
	}
	if (changes)
		compile_print_changes(nodes, &st);
	if (!co.quiet)
		fprintf(stderr, "pxeinv compile: %s -> %s: %zu nodes (%zu to "
			"install); scripts: %zu added, %zu changed, %zu "
			"removed, %zu unchanged; %zu cache records, %zu iPXE "
			"binaries\n", co.nodes_dir, co.out_dir, st.nodes,
			st.installed, st.added, st.changed, st.nremoved,
			st.nodes - st.added - st.changed, st.records,
			st.binaries);
out:
	compile_stats_free(&st);
	free(url);
	inventory_free(&inv);
	return rc;
}
