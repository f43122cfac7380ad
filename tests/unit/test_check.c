/*
 * Unit tests: every rule of `pxeinv check`, each with a bad input and the
 * exact diagnostic line it must give (FILE:LINE:COL: LEVEL: MESSAGE), and
 * the tree walk (defaults, ignored files, symlinks, size limit).
 *
 * Columns are counted by hand from the test input: a value's column is
 * where it starts (its quote, when quoted), and a message about one
 * character points at that character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testtree.h"

/** A schematic ID as the image factory prints it */
#define SCHEMATIC "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"

/** Defaults that make an installed node complete, apart from identity */
static const char talos_defaults[] =
	"schematicID: " SCHEMATIC "\n"
	"talosVersion: v1.9.5\n"
	"install: false\n";

/** The common suffix of messages about unknown keys */
#define OWN_KEYS "(keys of your own start with 'x-')"
/** The common suffix of YAML syntax errors */
#define SYNTAX_HINT "; check the indentation and quote values that " \
	"contain ': ' or '#'"
/** The common suffix of duplicate identity errors */
#define UNIQUE "already does; each identity must be unique"

/**
 * Check a tree of one node file (and optional root defaults), and assert
 * the counts and one expected diagnostic line.
 *
 * @v defaults  Content of nodes/_defaults.yaml, or NULL for none
 * @v name      Node file name, relative to nodes/
 * @v content   Node file content
 * @v errors    Expected number of errors
 * @v warnings  Expected number of warnings
 * @v line      Expected diagnostic line, or NULL
 */
static void check_one(const char *defaults, const char *name,
		      const char *content, size_t errors, size_t warnings,
		      const char *line)
{
	struct testtree t;

	testtree_init(&t);
	if (defaults)
		testtree_write(&t, "_defaults.yaml", defaults);
	testtree_write(&t, name, content);
	if (testtree_check(&t) != errors ||
	    t.inv.diags.warnings != warnings) {
		print_error("expected %zu errors and %zu warnings, got %zu "
			    "and %zu:\n%s", errors, warnings, t.errors,
			    t.inv.diags.warnings, t.text);
		testtree_free(&t);
		fail();
	}
	if (line)
		testtree_expect(&t, line);
	testtree_free(&t);
}

/**
 * Count the lines of the printed diagnostics.
 *
 * @v t         Tree, checked
 * @ret lines   Lines
 */
static size_t count_lines(const struct testtree *t)
{
	const char *p;
	size_t n = 0;

	for (p = t->text; p && *p; p++)
		n += (*p == '\n');
	return n;
}

/**
 * YAML syntax errors carry libyaml's problem, its position, and a hint.
 *
 * @v state     cmocka state
 */
static void test_syntax(void **state)
{
	(void)state;
	/* PyYAML: "mapping values are not allowed here", line 1 column 10 */
	check_one(NULL, "n1.yaml", "serial: a: b\n", 1, 0,
		  "nodes/n1.yaml:1:10: error: YAML syntax error: mapping "
		  "values are not allowed in this context" SYNTAX_HINT);
	/* PyYAML: "while scanning a quoted scalar" (line 1), "found
	 * unexpected end of stream" at line 2 column 1 */
	check_one(NULL, "n1.yaml", "install: false\nserial: \"abc\n", 1, 0,
		  "nodes/n1.yaml:3:1: error: YAML syntax error: found "
		  "unexpected end of stream while scanning a quoted scalar "
		  "(line 2)" SYNTAX_HINT);
}

/**
 * A machine file must hold a non-empty mapping.
 *
 * @v state     cmocka state
 */
static void test_not_mapping(void **state)
{
	(void)state;
	check_one(NULL, "n1.yaml", "- a\n- b\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: file must hold a mapping of keys "
		  "to values, not a list");
	check_one(NULL, "n1.yaml", "\n\nhello\n", 1, 0,
		  "nodes/n1.yaml:3:1: error: file must hold a mapping of keys "
		  "to values, not a string");
	check_one(NULL, "n1.yaml", "", 1, 0,
		  "nodes/n1.yaml: error: file is empty; write at least one "
		  "key, or delete it");
	check_one(NULL, "n1.yaml", "# just a comment\n", 1, 0,
		  "nodes/n1.yaml: error: file is empty; write at least one "
		  "key, or delete it");
	/* merge.py fails on an empty _defaults.yaml too (dict | None) */
	check_one("", "n1.yaml", "install: false\n", 1, 0,
		  "nodes/_defaults.yaml: error: file is empty; write at "
		  "least one key, or delete it");
}

/**
 * Keys: unknown (with and without a suggestion), own, repeated, set from
 * the file name, merge keys, and keys YAML does not read as strings.
 *
 * @v state     cmocka state
 */
static void test_keys(void **state)
{
	(void)state;
	check_one(NULL, "n1.yaml", "install: false\ntalosversion: v1.9.5\n",
		  1, 0, "nodes/n1.yaml:2:1: error: unknown key 'talosversion'; "
		  "did you mean 'talosVersion'? " OWN_KEYS);
	check_one(NULL, "n1.yaml", "install: false\n  # c\nbordSerial: B1\n",
		  1, 0, "nodes/n1.yaml:3:1: error: unknown key 'bordSerial'; "
		  "did you mean 'boardSerial'? " OWN_KEYS);
	check_one(NULL, "n1.yaml", "zzzzzzzz: 1\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: unknown key 'zzzzzzzz' " OWN_KEYS);
	check_one(NULL, "n1.yaml", "x-rack: r12\nx-owner: {team: a}\n", 0, 0,
		  NULL);
	check_one(NULL, "n1.yaml", "serial: S1\ninstall: false\n"
		  "serial: S2\n", 1, 0, "nodes/n1.yaml:3:1: error: key "
		  "'serial' appears twice (first on line 1); only the last "
		  "value would be used");
	check_one(NULL, "n1.yaml", "hostname: other\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: key 'hostname' is set from the "
		  "file name; remove it (rename the file instead)");
	check_one(NULL, "n1.yaml", "install: false\nfilename: x/y\n", 1, 0,
		  "nodes/n1.yaml:2:1: error: key 'filename' is set from the "
		  "file name; remove it (rename the file instead)");
	check_one(NULL, "n1.yaml", "x-base: &b {serial: S1}\n<<: *b\n", 1, 0,
		  "nodes/n1.yaml:2:1: error: YAML merge keys ('<<') are not "
		  "supported; use a _defaults.yaml instead");
	/* YAML 1.1: "yes" and "on" are booleans, also as keys */
	check_one(NULL, "n1.yaml", "install: false\nyes: 1\n", 1, 0,
		  "nodes/n1.yaml:2:1: error: key 'yes' is a boolean to YAML; "
		  "keys are names such as schematicID");
	check_one(NULL, "n1.yaml", "12: a\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: key '12' is an integer to YAML; "
		  "keys are names such as schematicID");
	check_one(NULL, "n1.yaml", "[a]: 1\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: mapping keys must be plain words; "
		  "found a list");
	/* A bad key in a _defaults.yaml is reported once, in that file */
	check_one("install: false\nnetmsk: 255.0.0.0\n", "a/n1.yaml",
		  "serial: S1\n", 1, 0, "nodes/_defaults.yaml:2:1: error: "
		  "unknown key 'netmsk'; did you mean 'netmask'? " OWN_KEYS);
}

/**
 * A string key whose plain value YAML reads as another type: the message
 * says what YAML read and how to quote it.
 *
 * @v state     cmocka state
 */
static void test_types(void **state)
{
	(void)state;
	check_one(NULL, "n1.yaml", "schematicID: 123\n", 1, 0,
		  "nodes/n1.yaml:1:14: error: schematicID must be a string, "
		  "but YAML reads '123' as an integer; quote it: schematicID: "
		  "\"123\"");
	check_one(NULL, "n1.yaml", "interface: 1234\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: interface must be a string, but "
		  "YAML reads '1234' as an integer; quote it: interface: "
		  "\"1234\"");
	check_one(NULL, "n1.yaml", "kernelArgs: yes\n", 1, 0,
		  "nodes/n1.yaml:1:13: error: kernelArgs must be a string, but "
		  "YAML reads 'yes' as a boolean; quote it: kernelArgs: "
		  "\"yes\"");
	check_one(NULL, "n1.yaml", "talosVersion: 1.9\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: talosVersion must be a string, "
		  "but YAML reads '1.9' as a float; quote it: talosVersion: "
		  "\"1.9\"");
	check_one(NULL, "n1.yaml", "x-a: 1\nntp: 2024-01-02\n", 1, 0,
		  "nodes/n1.yaml:2:6: error: ntp must be a string, but YAML "
		  "reads '2024-01-02' as a date; quote it: ntp: "
		  "\"2024-01-02\"");
	check_one(NULL, "n1.yaml", "interface: [ens1]\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: interface must be a string, not "
		  "a list");
	check_one(NULL, "n1.yaml", "interface: !!int \"7\"\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: interface must be a string, not "
		  "an integer");
	check_one(NULL, "n1.yaml", "uki: 1\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: uki must be true or false, not an "
		  "integer");
	check_one(NULL, "n1.yaml", "haltIfInstalled: \"no\"\n", 1, 0,
		  "nodes/n1.yaml:1:18: error: haltIfInstalled must be true or "
		  "false, not a string");
	/* C code would stop at the NUL; merge.py would not */
	check_one(NULL, "n1.yaml", "serial: \"AB\\0CD\"\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: serial: a NUL character (\\0) is "
		  "not allowed");
	/* Quoted, or spelt as YAML 1.1 booleans, they are fine */
	check_one(NULL, "n1.yaml", "interface: \"1234\"\nuki: on\n"
		  "haltIfInstalled: No\n", 0, 0, NULL);
}

/**
 * Keys an installed node needs, and not otherwise; the install values.
 *
 * @v state     cmocka state
 */
static void test_install(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "install: true\nserial: S1\n");
	assert_int_equal(testtree_check(&t), 2);
	testtree_expect(&t, "nodes/n1.yaml:1:1: error: node will be installed "
			"but has no schematicID; set it here or in a "
			"_defaults.yaml above");
	testtree_expect(&t, "nodes/n1.yaml:1:1: error: node will be installed "
			"but has no talosVersion; set it here or in a "
			"_defaults.yaml above");
	testtree_free(&t);

	check_one(talos_defaults, "n1.yaml", "install: true\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: node will be installed but cannot "
		  "be identified; set serial, boardSerial, mac or uuid");
	check_one(talos_defaults, "n1.yaml", "install: once\nuuid: "
		  "4c4c4544-0042-3510-8051-b4c04f4e4d31\n", 0, 0, NULL);
	/* install: false needs none of them */
	check_one(NULL, "n1.yaml", "install: false\n", 0, 0, NULL);
	check_one(NULL, "n1.yaml", "x-note: no install key\n", 0, 0, NULL);
	check_one(NULL, "n1.yaml", "install: maybe\n", 1, 0,
		  "nodes/n1.yaml:1:10: error: install must be true, false or "
		  "once, not 'maybe'");
	check_one(NULL, "n1.yaml", "install: 1\n", 1, 0,
		  "nodes/n1.yaml:1:10: error: install must be true, false or "
		  "once, not '1'");

	/* The nearest file wins: the node's own install: true */
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", talos_defaults);
	testtree_write(&t, "a/n1.yaml", "install: yes\nmac: "
		       "\"52:54:00:12:34:56\"\n");
	testtree_write(&t, "a/n2.yaml", "install: once\nserial: S2\n");
	testtree_write(&t, "a/n3.yml", "serial: S3\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.inv.n, 3);
	assert_int_equal(t.nodes[0].install, PXEINV_INSTALL_YES);
	assert_int_equal(t.nodes[1].install, PXEINV_INSTALL_ONCE);
	assert_int_equal(t.nodes[2].install, PXEINV_INSTALL_NO);
	assert_string_equal(t.nodes[2].hostname, "n3");
	assert_string_equal(t.inv.nodes[2].filename, "a/n3");
	testtree_free(&t);
}

/**
 * IPv4 syntax, netmask, gateway, and the static ip needs a netmask.
 *
 * @v state     cmocka state
 */
static void test_ipv4(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "ip: 10.0.0.256\nnetmask: 255.0.0.0\n", 1,
		  0, "nodes/n1.yaml:1:5: error: ip: '10.0.0.256' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or "
		  "dhcp)");
	check_one(NULL, "n1.yaml", "ip: \"10.0.0.01\"\nnetmask: 255.0.0.0\n",
		  1, 0, "nodes/n1.yaml:1:5: error: ip: '10.0.0.01' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or "
		  "dhcp)");
	check_one(NULL, "n1.yaml", "x-a: 1\ndns0: 1.1.1\n", 1, 0,
		  "nodes/n1.yaml:2:7: error: dns0: '1.1.1' is not an IPv4 or "
		  "IPv6 address (write 192.0.2.1 or 2001:db8::1)");
	check_one(NULL, "n1.yaml", "dns1: \" 8.8.8.8\"\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: dns1: ' 8.8.8.8' is not an IPv4 "
		  "or IPv6 address (write 192.0.2.1 or 2001:db8::1)");
	check_one(NULL, "n1.yaml", "ip: dhcp\ngateway: 10.0.0.x\n", 1, 0,
		  "nodes/n1.yaml:2:10: error: gateway: '10.0.0.x' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1)");
	check_one(NULL, "n1.yaml", "ip: 10.0.0.5\nnetmask: 255.0.255.0\n", 1,
		  0, "nodes/n1.yaml:2:10: error: netmask: '255.0.255.0' is not "
		  "a contiguous netmask (such as 255.255.255.0)");
	check_one(NULL, "n1.yaml", "install: false\nip: 10.0.0.5\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: static ip 10.0.0.5 needs a "
		  "netmask; set netmask here or in a _defaults.yaml above");
	check_one("netmask: 255.255.255.0\n", "n1.yaml", "ip: 10.0.0.5\n"
		  "gateway: 10.0.1.1\n", 1, 0, "nodes/n1.yaml:2:10: error: "
		  "gateway 10.0.1.1 is outside the node's subnet "
		  "10.0.0.5/255.255.255.0");
	/* The seed's own example has a node at the gateway's address */
	check_one("netmask: 255.255.255.0\ngateway: 10.0.0.1\n", "n1.yaml",
		  "ip: 10.0.0.1\n", 0, 1, "nodes/_defaults.yaml:2:10: warning: "
		  "gateway 10.0.0.1 is also the address of node n1");

	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "ip: 192.168.1.20\nnetmask: "
		       "255.255.254.0\ngateway: 192.168.0.1\ndns0: 1.1.1.1\n"
		       "ntp: fr.pool.ntp.org\n");
	testtree_write(&t, "n2.yaml", "ip: dhcp\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].ip, "192.168.1.20");
	assert_string_equal(t.nodes[0].gateway, "192.168.0.1");
	assert_string_equal(t.nodes[0].ntp, "fr.pool.ntp.org");
	assert_null(t.nodes[1].ip);
	testtree_free(&t);

	check_one(NULL, "n1.yaml", "ntp: pool ntp.org\n", 1, 0,
		  "nodes/n1.yaml:1:10: error: ntp: a space is not allowed in a "
		  "host name or address");
}

/**
 * IPv6: the address in canonical form, a prefix length as netmask, the
 * gateway of ip's family, DNS and NTP servers of either family, and the
 * IPv4 netmask as a prefix length too.
 *
 * @v state     cmocka state
 */
static void test_ipv6(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "ip: 2001:DB8:0:0::A\nnetmask: 64\n"
		       "gateway: fe80::1\ndns0: 2001:4860:4860:0::6464\n"
		       "dns1: 192.0.2.53\nntp: 2001:db8::123\n");
	testtree_write(&t, "n2.yaml", "ip: 2001:db8::b\nnetmask: \"128\"\n"
		       "gateway: 2001:db8::b\n");
	testtree_write(&t, "n3.yaml", "ip: 10.0.0.5\nnetmask: 24\n"
		       "gateway: 10.0.0.1\ndns0: 2001:db8::53\n");
	testtree_write(&t, "n4.yaml", "ip: dhcp\nnetmask: 64\n"
		       "gateway: fe80::1\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].ip, "2001:db8::a");
	assert_string_equal(t.nodes[0].netmask, "64");
	assert_string_equal(t.nodes[0].gateway, "fe80::1");
	assert_string_equal(t.nodes[0].dns0, "2001:4860:4860::6464");
	assert_string_equal(t.nodes[0].dns1, "192.0.2.53");
	assert_string_equal(t.nodes[0].ntp, "2001:db8::123");
	assert_string_equal(t.nodes[1].netmask, "128");
	assert_string_equal(t.nodes[2].netmask, "24");
	assert_null(t.nodes[3].ip);
	testtree_expect(&t, "nodes/n2.yaml:3:10: warning: gateway "
			"2001:db8::b is also the address of node n2");
	testtree_free(&t);

	check_one(NULL, "n1.yaml", "ip: 2001:db8::g\nnetmask: 64\n", 1, 0,
		  "nodes/n1.yaml:1:5: error: ip: '2001:db8::g' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or "
		  "dhcp)");
	check_one(NULL, "n1.yaml", "ip: \"fe80::1%eth0\"\nnetmask: 64\n", 1,
		  0, "nodes/n1.yaml:1:5: error: ip: 'fe80::1%eth0' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or "
		  "dhcp)");
	check_one(NULL, "n1.yaml", "ip: \"[2001:db8::a]\"\nnetmask: 64\n", 1,
		  0, "nodes/n1.yaml:1:5: error: ip: '[2001:db8::a]' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or "
		  "dhcp)");
	check_one(NULL, "n1.yaml", "ip: ff02::1\nnetmask: 64\n", 1, 0,
		  "nodes/n1.yaml:1:5: error: ip: 'ff02::1' is not a unicast "
		  "IPv6 address (not ::, multicast ff00::/8 or IPv4-mapped "
		  "::ffff:0:0/96; write an IPv4 address as such)");
	check_one(NULL, "n1.yaml", "ip: \"::ffff:10.0.0.1\"\nnetmask: 64\n",
		  1, 0, "nodes/n1.yaml:1:5: error: ip: '::ffff:10.0.0.1' is "
		  "not a unicast IPv6 address (not ::, multicast ff00::/8 or "
		  "IPv4-mapped ::ffff:0:0/96; write an IPv4 address as such)");
	/* Family mismatch, at the gateway */
	check_one("netmask: 64\n", "n1.yaml", "ip: 2001:db8::a\n"
		  "gateway: 10.0.0.1\n", 1, 0, "nodes/n1.yaml:2:10: error: "
		  "gateway: 10.0.0.1 is an IPv4 address, but ip 2001:db8::a "
		  "is IPv6; the gateway must be of the same family as ip: "
		  "write an IPv6 gateway (such as fe80::1)");
	check_one("gateway: 2001:db8::1\n", "n1.yaml", "ip: 10.0.0.5\n"
		  "netmask: 255.255.255.0\n", 1, 0, "nodes/_defaults.yaml:1:10: "
		  "error: gateway: 2001:db8::1 is an IPv6 address, but ip "
		  "10.0.0.5 is IPv4; the gateway must be of the same family "
		  "as ip: write an IPv4 gateway");
	check_one(NULL, "n1.yaml", "ip: 2001:db8::a\nnetmask: 64\n"
		  "gateway: 2001:db9::1\n", 1, 0, "nodes/n1.yaml:3:10: error: "
		  "gateway 2001:db9::1 is outside the node's subnet "
		  "2001:db8::a/64 (an IPv6 gateway may also be link-local, in "
		  "fe80::/10)");
	/* Prefix lengths */
	check_one(NULL, "n1.yaml", "ip: 2001:db8::a\nnetmask: 129\n", 1, 0,
		  "nodes/n1.yaml:2:10: error: netmask: '129' is not a prefix "
		  "length of an IPv6 ip (0-128, such as 64)");
	check_one(NULL, "n1.yaml", "ip: 10.0.0.5\nnetmask: 33\n", 1, 0,
		  "nodes/n1.yaml:2:10: error: netmask: '33' is not a prefix "
		  "length of an IPv4 ip (0-32, such as 24)");
	check_one(NULL, "n1.yaml", "ip: 2001:db8::a\nnetmask: \"064\"\n", 1,
		  0, "nodes/n1.yaml:2:10: error: netmask: '064' is not a "
		  "prefix length of an IPv6 ip (0-128, such as 64)");
	check_one(NULL, "n1.yaml", "ip: 2001:db8::a\nnetmask: "
		  "255.255.255.0\n", 1, 0, "nodes/n1.yaml:2:10: error: "
		  "netmask: '255.255.255.0' is not a prefix length; the "
		  "netmask of an IPv6 ip is its number of network bits, 0-128 "
		  "(such as 64)");
	check_one(NULL, "n1.yaml", "ip: 10.0.0.5\nnetmask: 255.255.255.x\n", 1,
		  0, "nodes/n1.yaml:2:10: error: netmask: '255.255.255.x' is "
		  "not a netmask (write 255.255.255.0, or a prefix length such "
		  "as 24)");
	check_one(NULL, "n1.yaml", "install: false\nip: 2001:db8::a\n", 1, 0,
		  "nodes/n1.yaml:1:1: error: static ip 2001:db8::a needs a "
		  "netmask; set netmask here or in a _defaults.yaml above (a "
		  "prefix length, such as 64)");
	check_one(NULL, "n1.yaml", "ntp: \"2001:db8::zz\"\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: ntp: '2001:db8::zz' is not an "
		  "IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1)");
}

/**
 * URLs with an IPv6 host in brackets: imageBaseURL, talosConfig and the
 * check that compile --image-base-url and --http-url share.
 *
 * @v state     cmocka state
 */
static void test_url_ipv6(void **state)
{
	struct testtree t;
	size_t host, len;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "imageBaseURL: http://[2001:db8::1]:8080"
		       "/talos/\ntalosConfig: http://[fd00::5]/c?u=${uuid}\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].image_base,
			    "http://[2001:db8::1]:8080/talos");
	assert_string_equal(t.nodes[0].talos_config,
			    "http://[fd00::5]/c?u=%24%7Buuid%7D");
	testtree_free(&t);

	check_one(NULL, "n1.yaml", "imageBaseURL: http://[2001:db8::g]/x\n", 1,
		  0, "nodes/n1.yaml:1:22: error: imageBaseURL: "
		  CHECK_URL_IPV6_HINT);
	check_one(NULL, "n1.yaml", "imageBaseURL: http://[10.0.0.1]/x\n", 1, 0,
		  "nodes/n1.yaml:1:22: error: imageBaseURL: "
		  CHECK_URL_IPV6_HINT);
	check_one(NULL, "n1.yaml", "imageBaseURL: http://[2001:db8::1]x/\n", 1,
		  0, "nodes/n1.yaml:1:22: error: imageBaseURL: "
		  CHECK_URL_IPV6_HINT);
	/* Brackets anywhere else are still refused */
	check_one(NULL, "n1.yaml", "imageBaseURL: http://h/[x]\n", 1, 0,
		  "nodes/n1.yaml:1:24: error: imageBaseURL: '[' is not "
		  "allowed in a URL here; percent-encode it");

	assert_int_equal(check_url_host("http://[2001:db8::1]:8080/boot",
					&host, &len), 0);
	assert_int_equal(host, 7);
	assert_int_equal(len, 13);
	assert_int_equal(check_url_host("https://h.example/", &host, &len), 0);
	assert_int_equal(len, 9);
	assert_int_equal(check_url_host("ftp://h/", &host, &len),
			 -EPROTONOSUPPORT);
	assert_int_equal(check_url_host("http:///x", &host, &len),
			 -EDESTADDRREQ);
	assert_int_equal(check_url_host("http://[fd00::1", &host, &len),
			 -EINVAL);
	assert_int_equal(check_url_host("http://[]/", &host, &len), -EINVAL);
	assert_true(check_image_base_is_valid("http://[fd00::1]/talos"));
	assert_true(check_image_base_is_valid("https://[2001:db8::1]:8443"));
	assert_false(check_image_base_is_valid("http://[fd00::1]/[x]"));
	assert_false(check_image_base_is_valid("http://[fd00::x]/"));
}

/**
 * VLAN and interface.
 *
 * @v state     cmocka state
 */
static void test_vlan_interface(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "vlan: 0\ninterface: ens1\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: vlan must be a number from 1 to "
		  "4094, not '0'");
	check_one(NULL, "n1.yaml", "interface: ens1\nvlan: 4095\n", 1, 0,
		  "nodes/n1.yaml:2:7: error: vlan must be a number from 1 to "
		  "4094, not '4095'");
	check_one(NULL, "n1.yaml", "vlan: \"abc\"\ninterface: ens1\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: vlan must be a number from 1 to "
		  "4094, not 'abc'");
	/* The seed's template prints vlan with %d: a string will not do */
	check_one(NULL, "n1.yaml", "vlan: \"12\"\ninterface: ens1\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: vlan must be a number from 1 to "
		  "4094, not '12'");
	check_one(NULL, "n1.yaml", "vlan: 12\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: vlan 12 needs an interface to "
		  "tag; set interface");
	check_one(NULL, "n1.yaml", "interface: abcdefghijklmnop\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: interface: 'abcdefghijklmnop' is "
		  "not a Linux interface name (1-15 letters, digits, '_' or "
		  "'-')");
	/* The bad character is pointed at, past the opening quote */
	check_one(NULL, "n1.yaml", "interface: \"en s1\"\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: interface: 'en s1' is not a "
		  "Linux interface name (1-15 letters, digits, '_' or '-')");
	check_one(NULL, "n1.yaml", "interface: ens1.5\n", 1, 0,
		  "nodes/n1.yaml:1:16: error: interface: 'ens1.5' is not a "
		  "Linux interface name (1-15 letters, digits, '_' or '-')");

	/* YAML 1.1: 0x10 is 16, as merge.py sees it */
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "vlan: 0x10\ninterface: "
		       "abcdefghijklmno\n");
	testtree_write(&t, "n2.yaml", "vlan: 4094\ninterface: enp0s1_a-b\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.nodes[0].vlan, 16);
	assert_string_equal(t.nodes[0].interface, "abcdefghijklmno");
	assert_int_equal(t.nodes[1].vlan, 4094);
	testtree_free(&t);
}

/**
 * The hostname comes from the file name and must be a lower-case RFC
 * 1123 label; that also keeps path tricks out of file names made from it.
 *
 * @v state     cmocka state
 */
static void test_hostname(void **state)
{
	char name[80];

	(void)state;
	check_one(NULL, "bad_name.yaml", "install: false\n", 1, 0,
		  "nodes/bad_name.yaml:1:1: error: hostname 'bad_name' (the "
		  "file name) is not a valid node name: use 1-63 lower-case "
		  "letters, digits and '-', not starting or ending with '-' "
		  "(an RFC 1123 label), and not 'unknown'");
	check_one(NULL, "-x.yaml", "install: false\n", 1, 0,
		  "nodes/-x.yaml:1:1: error: hostname '-x' (the file name) is "
		  "not a valid node name: use 1-63 lower-case letters, digits "
		  "and '-', not starting or ending with '-' (an RFC 1123 "
		  "label), and not 'unknown'");
	check_one(NULL, "x-.yml", "install: false\n", 1, 0,
		  "nodes/x-.yml:1:1: error: hostname 'x-' (the file name) is "
		  "not a valid node name: use 1-63 lower-case letters, digits "
		  "and '-', not starting or ending with '-' (an RFC 1123 "
		  "label), and not 'unknown'");
	/* merge.py reads hidden files too: "..x" would be a hostname */
	check_one(NULL, "..x.yaml", "install: false\n", 1, 0,
		  "nodes/..x.yaml:1:1: error: hostname '..x' (the file name) "
		  "is not a valid node name: use 1-63 lower-case letters, digits "
		  "and '-', not starting or ending with '-' (an RFC 1123 "
		  "label), and not 'unknown'");
	check_one(NULL, "a..b.yaml", "install: false\n", 1, 0,
		  "nodes/a..b.yaml:1:1: error: hostname 'a..b' (the file name) "
		  "is not a valid node name: use 1-63 lower-case letters, digits "
		  "and '-', not starting or ending with '-' (an RFC 1123 "
		  "label), and not 'unknown'");
	/* one rule for every part (pxeinv_node_name_is_valid): upper case
	 * is refused, with the name to rename the file to */
	check_one(NULL, "Node-07.yaml", "install: false\n", 1, 0,
		  "nodes/Node-07.yaml:1:1: error: hostname 'Node-07' (the file "
		  "name) has upper-case letters: node names are lower case, so "
		  "that tags, state files and paths cannot tell apart what DNS "
		  "cannot; rename the file to node-07.yaml");
	check_one(NULL, "NODE_7.yml", "install: false\n", 1, 0,
		  "nodes/NODE_7.yml:1:1: error: hostname 'NODE_7' (the file "
		  "name) is not a valid node name: use 1-63 lower-case "
		  "letters, digits and '-', not starting or ending with '-' "
		  "(an RFC 1123 label), and not 'unknown'");
	/* the tag of clients no node matched cannot be a node too */
	check_one(NULL, "unknown.yaml", "install: false\n", 1, 0,
		  "nodes/unknown.yaml:1:1: error: hostname 'unknown' (the file "
		  "name) is not a valid node name: use 1-63 lower-case "
		  "letters, digits and '-', not starting or ending with '-' "
		  "(an RFC 1123 label), and not 'unknown'");
	/* 63 characters is the limit */
	memset(name, 'a', 63);
	strcpy(name + 63, ".yaml");
	check_one(NULL, name, "install: false\n", 0, 0, NULL);
	memset(name, 'a', 64);
	strcpy(name + 64, ".yaml");
	check_one(NULL, name, "install: false\n", 1, 0, NULL);
}

/**
 * Talos values: schematic, version, arch, URLs.
 *
 * @v state     cmocka state
 */
static void test_talos(void **state)
{
	struct testtree t;
	char upper[80];
	size_t i;

	(void)state;
	check_one(NULL, "n1.yaml", "schematicID: abc\n", 1, 0,
		  "nodes/n1.yaml:1:14: error: schematicID must be 64 lower-case "
		  "hex digits, as the image factory prints it");
	for (i = 0; SCHEMATIC[i]; i++)
		upper[i] = SCHEMATIC[i] >= 'a' ? SCHEMATIC[i] - 32 :
			   SCHEMATIC[i];
	snprintf(upper + i, sizeof(upper) - i, "\n");
	{
		char content[128];

		snprintf(content, sizeof(content), "schematicID: %s", upper);
		check_one(NULL, "n1.yaml", content, 1, 0, "nodes/n1.yaml:1:14: "
			  "error: schematicID must be 64 lower-case hex "
			  "digits, as the image factory prints it");
	}
	check_one(NULL, "n1.yaml", "talosVersion: 1.9.5\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: talosVersion: '1.9.5' is not a "
		  "version such as v1.9.5");
	check_one(NULL, "n1.yaml", "talosVersion: v1.9\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: talosVersion: 'v1.9' is not a "
		  "version such as v1.9.5");
	check_one(NULL, "n1.yaml", "talosVersion: v1.9.5-\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: talosVersion: 'v1.9.5-' is not a "
		  "version such as v1.9.5");
	check_one(NULL, "n1.yaml", "arch: x86\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: arch must be amd64 or arm64, not "
		  "'x86'");
	check_one(NULL, "n1.yaml", "imageBaseURL: ftp://x/y\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: imageBaseURL: 'ftp://x/y' must "
		  "start with https:// or http://");
	check_one(NULL, "n1.yaml", "imageBaseURL: https:///img\n", 1, 0,
		  "nodes/n1.yaml:1:23: error: imageBaseURL: URL has no host "
		  "name");
	check_one(NULL, "n1.yaml", "imageBaseURL: \"http://h/a b\"\n", 1, 0,
		  "nodes/n1.yaml:1:26: error: imageBaseURL: a space is not "
		  "allowed in a URL here; percent-encode it");

	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "talosVersion: v1.9.5-beta.0\n"
		       "arch: arm64\nimageBaseURL: http://mirror.lan/image//\n"
		       "talosConfig: https://cfg.lan/c?m=${mac}&h=${hostname}"
		       "&u=${uuid}&s=${serial}\n");
	testtree_write(&t, "n2.yaml", "install: false\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].version, "v1.9.5-beta.0");
	assert_string_equal(t.nodes[0].arch, "arm64");
	assert_string_equal(t.nodes[0].image_base, "http://mirror.lan/image");
	/* Percent-encoded so iPXE leaves them for Talos */
	assert_string_equal(t.nodes[0].talos_config, "https://cfg.lan/c?"
			    "m=%24%7Bmac%7D&h=%24%7Bhostname%7D&u=%24%7Buuid"
			    "%7D&s=%24%7Bserial%7D");
	assert_string_equal(t.nodes[1].arch, "amd64");
	assert_string_equal(t.nodes[1].image_base, NODE_DEFAULT_IMAGE_BASE);
	assert_null(t.nodes[1].talos_config);
	testtree_free(&t);

	/* "https://c.example/cfg?m=" is 24 characters: '$' is at 14 + 24 */
	check_one(NULL, "n1.yaml", "talosConfig: https://c.example/cfg?m="
		  "${foo}\n", 1, 0, "nodes/n1.yaml:1:38: error: talosConfig: "
		  "only ${uuid}, ${serial}, ${mac} and ${hostname} may appear, "
		  "and only in the query (after '?')");
	check_one(NULL, "n1.yaml", "talosConfig: https://c.example/${mac}/c\n",
		  1, 0, "nodes/n1.yaml:1:32: error: talosConfig: only ${uuid}, "
		  "${serial}, ${mac} and ${hostname} may appear, and only in "
		  "the query (after '?')");
	/* imageBaseURL takes no variables at all */
	check_one(NULL, "n1.yaml", "imageBaseURL: http://h/${mac}\n", 1, 0,
		  "nodes/n1.yaml:1:24: error: imageBaseURL: '$' is not allowed "
		  "in a URL here; percent-encode it");
}

/**
 * Kernel arguments: nothing that could break out of the iPXE line.
 *
 * @v state     cmocka state
 */
static void test_kernel_args(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "kernelArgs: 'a=\"b\"'\n", 1, 0,
		  "nodes/n1.yaml:1:16: error: kernelArgs: a double quote is "
		  "not allowed in kernel arguments (it could break the iPXE "
		  "script); allowed are letters, digits, spaces and "
		  "._:/=,+@%~*-");
	check_one(NULL, "n1.yaml", "kernelArgs: \"a='b'\"\n", 1, 0,
		  "nodes/n1.yaml:1:16: error: kernelArgs: a single quote is "
		  "not allowed in kernel arguments (it could break the iPXE "
		  "script); allowed are letters, digits, spaces and "
		  "._:/=,+@%~*-");
	check_one(NULL, "n1.yaml", "extraKernelArgs: a=1;reboot\n", 1, 0,
		  "nodes/n1.yaml:1:21: error: extraKernelArgs: ';' is not "
		  "allowed in kernel arguments (it could break the iPXE "
		  "script); allowed are letters, digits, spaces and "
		  "._:/=,+@%~*-");
	/* A block scalar spans lines: the message points at its start */
	check_one(NULL, "n1.yaml", "install: false\nkernelArgs: |\n  a=1\n"
		  "  b=2\n", 1, 0, "nodes/n1.yaml:2:13: error: kernelArgs: a "
		  "newline is not allowed in kernel arguments (it could break "
		  "the iPXE script); allowed are letters, digits, spaces and "
		  "._:/=,+@%~*-");
	check_one(NULL, "n1.yaml", "kernelArgs: a=${x}\n", 1, 0,
		  "nodes/n1.yaml:1:15: error: kernelArgs: '${' would be "
		  "expanded by iPXE; write the value itself");
	/* A folded block scalar is one line: fine */
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "kernelArgs: >-\n  console=tty0\n"
		       "  talos.platform=metal\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].kernel_args, "console=tty0 "
			    "talos.platform=metal");
	testtree_free(&t);
}

/**
 * MAC addresses, including the YAML 1.1 base-60 trap.
 *
 * @v state     cmocka state
 */
static void test_mac(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "mac: \"52:54:00:12:34:5g\"\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac: '52:54:00:12:34:5g' is not a "
		  "MAC address (write six hex pairs: aa:bb:cc:dd:ee:ff)");
	/* 52*60^5 + 54*60^4 + 0*60^3 + 12*60^2 + 34*60 + 56 (PyYAML agrees) */
	check_one(NULL, "n1.yaml", "mac: 52:54:00:12:34:56\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac: YAML 1.1 reads "
		  "52:54:00:12:34:56 as the base-60 integer 41135085296; quote "
		  "it: \"52:54:00:12:34:56\"");
	check_one(NULL, "n1.yaml", "mac: 525400123456\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac: YAML reads 525400123456 as "
		  "an integer; quote it: \"525400123456\"");
	check_one(NULL, "n1.yaml", "mac: {a: 1}\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac must be a string or a list of "
		  "strings, not a mapping");
	check_one(NULL, "n1.yaml", "mac: 00:00:00:00:00:00\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac: '00:00:00:00:00:00' is a "
		  "placeholder (all zero or broadcast), not a network card's "
		  "address");
	check_one(NULL, "n1.yaml", "mac: FF-FF-FF-FF-FF-FF\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: mac: 'FF-FF-FF-FF-FF-FF' is a "
		  "placeholder (all zero or broadcast), not a network card's "
		  "address");
	check_one(NULL, "n1.yaml", "mac:\n  - \"52:54:00:12:34:56\"\n"
		  "  - \"52:54:00:12:34\"\n", 1, 0, "nodes/n1.yaml:3:5: error: "
		  "mac: '52:54:00:12:34' is not a MAC address (write six hex "
		  "pairs: aa:bb:cc:dd:ee:ff)");

	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "mac: [\"52:54:00:AB:CD:EF\", "
		       "08-00-27-00-00-01]\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.nodes[0].nmacs, 2);
	assert_string_equal(t.nodes[0].macs[0], "52:54:00:ab:cd:ef");
	assert_string_equal(t.nodes[0].macs[1], "08:00:27:00:00:01");
	testtree_free(&t);
}

/**
 * UUIDs.
 *
 * @v state     cmocka state
 */
static void test_uuid(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "uuid: not-a-uuid\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: uuid: 'not-a-uuid' is not a UUID "
		  "(write 8-4-4-4-12 hex digits, as dmidecode prints it)");
	check_one(NULL, "n1.yaml", "uuid: 4c4c4544-0042-3510-8051-b4c04f4e4d3\n",
		  1, 0, "nodes/n1.yaml:1:7: error: uuid: "
		  "'4c4c4544-0042-3510-8051-b4c04f4e4d3' is not a UUID (write "
		  "8-4-4-4-12 hex digits, as dmidecode prints it)");
	check_one(NULL, "n1.yaml", "uuid: 4c4c4544-0042-3510-8051_b4c04f4e4d31\n",
		  1, 0, "nodes/n1.yaml:1:7: error: uuid: "
		  "'4c4c4544-0042-3510-8051_b4c04f4e4d31' is not a UUID (write "
		  "8-4-4-4-12 hex digits, as dmidecode prints it)");
	check_one(NULL, "n1.yaml", "uuid: 00000000-0000-0000-0000-000000000000\n",
		  1, 0, "nodes/n1.yaml:1:7: error: uuid: an all-zero or all-FF "
		  "UUID is a firmware placeholder, not an identity");
	check_one(NULL, "n1.yaml", "uuid: FFFFFFFF-FFFF-FFFF-ffff-FFFFFFFFFFFF\n",
		  1, 0, "nodes/n1.yaml:1:7: error: uuid: an all-zero or all-FF "
		  "UUID is a firmware placeholder, not an identity");

	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "uuid: 4C4C4544-0042-3510-8051-"
		       "B4C04F4E4D31\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.nodes[0].uuid,
			    "4c4c4544-0042-3510-8051-b4c04f4e4d31");
	testtree_free(&t);
}

/**
 * Serials: placeholders, characters, and numbers YAML reads.
 *
 * @v state     cmocka state
 */
static void test_serial(void **state)
{
	struct testtree t;

	(void)state;
	check_one(NULL, "n1.yaml", "serial: To Be Filled By O.E.M.\n", 1, 0,
		  "nodes/n1.yaml:1:9: error: serial: 'To Be Filled By O.E.M.' "
		  "is a firmware placeholder, not an identity; use "
		  "boardSerial, mac or uuid instead");
	check_one(NULL, "n1.yaml", "boardSerial: default STRING\n", 1, 0,
		  "nodes/n1.yaml:1:14: error: boardSerial: 'default STRING' is "
		  "a firmware placeholder, not an identity; use serial, mac or "
		  "uuid instead");
	check_one(NULL, "n1.yaml", "serial: \"AB 12\"\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: serial: a space is not allowed in "
		  "a serial (it could break the iPXE script); allowed are "
		  "letters, digits and .:+-");
	check_one(NULL, "n1.yaml", "serial: 'AB\"12'\n", 1, 0,
		  "nodes/n1.yaml:1:12: error: serial: a double quote is not "
		  "allowed in a serial (it could break the iPXE script); "
		  "allowed are letters, digits and .:+-");
	check_one(NULL, "n1.yaml", "boardSerial: AB${x}\n", 1, 0,
		  "nodes/n1.yaml:1:16: error: boardSerial: '$' is not allowed "
		  "in a serial (it could break the iPXE script); allowed are "
		  "letters, digits and .:+-");
	check_one(NULL, "n1.yaml", "serial: \"\"\n", 1, 0,
		  "nodes/n1.yaml:1:9: error: serial must be 1 to 64 "
		  "characters");
	/* PyYAML: 0012345 is octal, the integer 5349; the serial the
	 * firmware reports is the text, so pxeinv keeps it and warns */
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "serial: 0012345\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.inv.diags.warnings, 1);
	testtree_expect(&t, "nodes/n1.yaml:1:9: warning: serial: YAML reads "
			"0012345 as the integer 5349, and merge.py and the "
			"templates would see that; quote it: serial: "
			"\"0012345\"");
	assert_string_equal(t.nodes[0].serial, "0012345");
	testtree_free(&t);
	check_one(NULL, "n1.yaml", "boardSerial: 0x1F\n", 0, 1,
		  "nodes/n1.yaml:1:14: warning: boardSerial: YAML reads 0x1F "
		  "as the integer 31, and merge.py and the templates would "
		  "see that; quote it: boardSerial: \"0x1F\"");
	/* Warned for the number, refused for the '_' all the same */
	check_one(NULL, "n1.yaml", "boardSerial: 1_000\n", 1, 1,
		  "nodes/n1.yaml:1:15: error: boardSerial: '_' is not allowed "
		  "in a serial (it could break the iPXE script); allowed are "
		  "letters, digits and .:+-");
	check_one(NULL, "n1.yaml", "serial: 1.50\n", 0, 1,
		  "nodes/n1.yaml:1:9: warning: serial: YAML reads 1.50 as a "
		  "float, and merge.py and the templates would see that; quote "
		  "it: serial: \"1.50\"");
	check_one(NULL, "n1.yaml", "serial: \"0012345\"\n", 0, 0, NULL);
	/* A boolean is no serial at all */
	check_one(NULL, "n1.yaml", "serial: no\n", 1, 0,
		  "nodes/n1.yaml:1:9: error: serial must be a string, but YAML "
		  "reads 'no' as a boolean; quote it: serial: \"no\"");
}

/**
 * Check a tree of two nodes, a.yaml and b.yaml, and assert one error.
 *
 * @v a         Text of a.yaml
 * @v b         Text of b.yaml
 * @v want      The error
 */
static void check_two(const char *a, const char *b, const char *want)
{
	struct testtree t;

	testtree_init(&t);
	testtree_write(&t, "a.yaml", a);
	testtree_write(&t, "b.yaml", b);
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, want);
	testtree_free(&t);
}

/**
 * Identities two nodes claim, each naming both files.
 *
 * @v state     cmocka state
 */
static void test_duplicates(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "a/n1.yaml", "install: false\n");
	testtree_write(&t, "b/n1.yaml", "install: false\n");
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes/b/n1.yaml:1:1: error: duplicate hostname "
			"'n1': node n1 claims it, and node n1 "
			"(nodes/a/n1.yaml:1) " UNIQUE);
	testtree_free(&t);

	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", "netmask: 255.255.255.0\n");
	testtree_write(&t, "a.yaml", "ip: 10.0.0.5\n");
	testtree_write(&t, "b.yaml", "x-a: 1\nip: 10.0.0.5\n");
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes/b.yaml:2:5: error: duplicate ip "
			"'10.0.0.5': node b claims it, and node a "
			"(nodes/a.yaml:1) " UNIQUE);
	testtree_free(&t);

	/* The same IPv6 address, written two ways, is one address */
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", "netmask: 64\n");
	testtree_write(&t, "a.yaml", "ip: 2001:db8::a\n");
	testtree_write(&t, "b.yaml", "x-a: 1\nip: 2001:DB8:0:0:0:0:0:A\n");
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes/b.yaml:2:5: error: duplicate ip "
			"'2001:db8::a': node b claims it, and node a "
			"(nodes/a.yaml:1) " UNIQUE);
	testtree_free(&t);

	/* The same MAC, spelt differently, in a list */
	check_two("x-a: 1\nmac: \"52:54:00:AA:BB:CC\"\n",
		  "mac:\n  - \"52:54:00:00:00:01\"\n"
		  "  - 52-54-00-aa-bb-cc\n",
		  "nodes/b.yaml:3:5: error: duplicate mac "
		  "'52:54:00:aa:bb:cc': node b claims it, and node a "
		  "(nodes/a.yaml:2) " UNIQUE);

	/* "mac: [" is 6 characters, the first item 19, then ", " */
	check_one(NULL, "a.yaml", "mac: [\"52:54:00:00:00:01\", "
		  "\"52:54:00:00:00:01\"]\n", 1, 0, "nodes/a.yaml:1:28: error: "
		  "mac '52:54:00:00:00:01' is listed twice for node a (first "
		  "at nodes/a.yaml:1); remove one");

	check_two("uuid: 4c4c4544-0042-3510-8051-b4c04f4e4d31\n",
		  "uuid: 4C4C4544-0042-3510-8051-B4C04F4E4D31\n",
		  "nodes/b.yaml:1:7: error: duplicate uuid "
		  "'4c4c4544-0042-3510-8051-b4c04f4e4d31': node b claims "
		  "it, and node a (nodes/a.yaml:1) " UNIQUE);

	check_two("serial: S1\nboardSerial: B1\n", "serial: S1\nboardSerial: B1\n",
		  "nodes/b.yaml:2:14: error: duplicate serial 'S1' "
		  "and boardSerial 'B1': node b claims it, and node a "
		  "(nodes/a.yaml:2) " UNIQUE);

	check_two("serial: S1\n", "serial: S1\n",
		  "nodes/b.yaml:1:9: error: duplicate serial 'S1' "
		  "(and no boardSerial): node b claims it, and node a "
		  "(nodes/a.yaml:1) already does; nodes that share a "
		  "serial need distinct boardSerials");

	check_two("boardSerial: B1\n", "boardSerial: B1\n",
		  "nodes/b.yaml:1:14: error: duplicate boardSerial "
		  "'B1' (and no serial): node b claims it, and node a "
		  "(nodes/a.yaml:1) " UNIQUE);

	/* A multi-node chassis: one serial, boards told apart */
	testtree_init(&t);
	testtree_write(&t, "a.yaml", "serial: S1\nboardSerial: B1\n");
	testtree_write(&t, "b.yaml", "serial: S1\nboardSerial: B2\n");
	testtree_write(&t, "c.yaml", "serial: S3\nboardSerial: B3\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.text, "");
	assert_int_equal(t.nodes[0].serial_shared, 1);
	assert_int_equal(t.nodes[1].serial_shared, 1);
	assert_int_equal(t.nodes[2].serial_shared, 0);
	assert_int_equal(t.nodes[0].board_shared, 0);
	testtree_free(&t);
}

/**
 * Many nodes with many identities each: the claim table must hold them
 * all (it used to be sized for 8 claims a node and abort()).
 *
 * @v state     cmocka state
 */
static void test_many_claims(void **state)
{
	struct testtree t;
	char name[32], content[512];
	int i, j, len;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", "netmask: 255.255.0.0\n");
	for (i = 0; i < 100; i++) {
		len = snprintf(content, sizeof(content), "serial: S%d\n"
			       "boardSerial: B%d\nuuid: 4c4c4544-0042-3510-"
			       "8051-%012d\nip: 10.0.%d.%d\nmac:\n", i, i, i,
			       i / 200, i % 200 + 1);
		for (j = 0; j < 4; j++)
			len += snprintf(content + len, sizeof(content) - len,
					"  - \"52:54:00:00:%02x:%02x\"\n", i, j);
		snprintf(name, sizeof(name), "n%03d.yaml", i);
		testtree_write(&t, name, content);
	}
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.inv.n, 100);
	assert_int_equal(t.nodes[99].nmacs, 4);
	testtree_free(&t);
}

/**
 * Files the walk ignores, with a warning.
 *
 * @v state     cmocka state
 */
static void test_ignored(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "install: false\n");
	testtree_write(&t, "README.md", "# notes\n");
	testtree_write(&t, "a/_other.yaml", "install: true\n");
	testtree_write(&t, "a/_defaults.yml", "install: true\n");
	testtree_write(&t, "a/_notes.txt", "skipped silently\n");
	testtree_write(&t, ".gitkeep", "");
	testtree_write(&t, ".git/config", "[core]\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.inv.diags.warnings, 3);
	assert_int_equal(count_lines(&t), 3);
	testtree_expect(&t, "nodes/README.md: warning: ignored: not a .yaml or "
			".yml file (rename it with a leading '_' or move it "
			"out of the tree)");
	testtree_expect(&t, "nodes/a/_other.yaml: warning: ignored: only "
			"_defaults.yaml gives defaults, and other names "
			"starting with '_' are skipped");
	testtree_expect(&t, "nodes/a/_defaults.yml: warning: ignored: only "
			"_defaults.yaml gives defaults, and other names "
			"starting with '_' are skipped");
	assert_int_equal(t.inv.n, 1);
	testtree_free(&t);
}

/**
 * A NODES_DIR that is missing or not a directory is refused with its
 * errno and one error naming it.
 *
 * @v state     cmocka state
 */
static void test_root_unreadable(void **state)
{
	struct testtree t;
	struct inventory inv;
	char path[512];

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "install: false\n");
	snprintf(path, sizeof(path), "%s/missing", t.root);
	memset(&inv, 0, sizeof(inv));
	assert_int_equal(inventory_load(&inv, path, NULL), -ENOENT);
	assert_int_equal(inv.diags.errors, 1);
	assert_int_equal(inv.n, 0);
	inventory_free(&inv);
	snprintf(path, sizeof(path), "%s/n1.yaml", t.root);
	memset(&inv, 0, sizeof(inv));
	assert_int_equal(inventory_load(&inv, path, NULL), -ENOTDIR);
	assert_int_equal(inv.diags.errors, 1);
	assert_int_equal(inv.n, 0);
	inventory_free(&inv);
	memset(&inv, 0, sizeof(inv));
	assert_int_equal(inventory_load(&inv, t.root, NULL), 0);
	assert_int_equal(inv.n, 1);
	inventory_free(&inv);
	testtree_free(&t);
}

/**
 * Symlinks: a loop back to an ancestor, and a dangling link.
 *
 * @v state     cmocka state
 */
static void test_symlinks(void **state)
{
	struct testtree t;
	char path[512];

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "a/n1.yaml", "install: false\n");
	snprintf(path, sizeof(path), "%s/a/loop", t.root);
	assert_int_equal(symlink("..", path), 0);
	snprintf(path, sizeof(path), "%s/gone.yaml", t.root);
	assert_int_equal(symlink("nowhere.yaml", path), 0);
	assert_int_equal(testtree_check(&t), 2);
	testtree_expect(&t, "nodes/a/loop: error: symlink loop: this directory "
			"is already being read higher up the tree; remove the "
			"link");
	testtree_expect(&t, "nodes/gone.yaml: error: cannot read: No such file "
			"or directory (a dangling symlink?)");
	assert_int_equal(t.inv.n, 1);
	testtree_free(&t);

	/* Emacs lock links (.#NAME) are hidden, dangling, and skipped */
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", "install: false\n");
	snprintf(path, sizeof(path), "%s/.#n1.yaml", t.root);
	assert_int_equal(symlink("root@host.1234:1700000000", path), 0);
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.text, "");
	testtree_free(&t);
}

/**
 * NODES_DIR itself must be a directory.
 *
 * @v state     cmocka state
 */
static void test_root(void **state)
{
	struct testtree t;
	FILE *f;

	(void)state;
	testtree_init(&t);
	assert_int_equal(rmdir(t.root), 0);
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes: error: not a readable directory: No such "
			"file or directory");
	f = fopen(t.root, "w");
	assert_non_null(f);
	fclose(f);
	inventory_free(&t.inv);
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes: error: not a readable directory: not a "
			"directory");
	testtree_free(&t);
}

/**
 * Files over YAML_MAX_FILE_SIZE are refused before parsing; exactly the
 * limit is accepted.
 *
 * @v state     cmocka state
 */
static void test_file_size(void **state)
{
	static const char head[] = "install: false\n";
	struct testtree t;
	char *big;

	(void)state;
	big = malloc(1024 * 1024 + 2);
	assert_non_null(big);
	memcpy(big, head, sizeof(head) - 1);
	memset(big + sizeof(head) - 1, '#', 1024 * 1024 - sizeof(head) + 1);
	big[1024 * 1024 - 1] = '\n';
	big[1024 * 1024] = '\0';

	testtree_init(&t);
	testtree_write(&t, "n1.yaml", big);
	assert_int_equal(testtree_check(&t), 0);
	testtree_free(&t);

	big[1024 * 1024] = '\n';
	big[1024 * 1024 + 1] = '\0';
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", big);
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes/n1.yaml: error: file is 1048577 bytes, more "
			"than the 1048576 allowed for an inventory file");
	testtree_free(&t);
	free(big);
}

/**
 * Billion laughs: refused at the alias that goes over the budget, without
 * expanding anything.
 *
 * Counting every value, keys included: the root mapping, "a", its list
 * and 9 items make 12; "b" and its list 14, and 9 aliases of 10 values
 * 104; "c" ... 925; "d" ... 8307; "e" and its list 8309, and the first
 * *d (7381 values) passes 10000: line 5, column 8.
 *
 * @v state     cmocka state
 */
static void test_alias_bomb(void **state)
{
	static const char bomb[] =
		"a: &a [x,x,x,x,x,x,x,x,x]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	struct testtree t;
	struct timespec t0, t1;
	double ms;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "n1.yaml", bomb);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(testtree_check(&t), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	testtree_expect(&t, "nodes/n1.yaml:5:8: error: document expands to more "
			"than 10000 values through aliases (a YAML alias "
			"bomb?); remove the aliases and write the values out");
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* 9^9 values would take seconds and gigabytes; this is nothing */
	assert_true(ms < 500);
	testtree_free(&t);
}

/**
 * One document per file, and no tags YAML's safe_load would refuse.
 *
 * @v state     cmocka state
 */
static void test_documents_and_tags(void **state)
{
	(void)state;
	check_one(NULL, "n1.yaml", "install: false\n---\ninstall: true\n", 1,
		  0, "nodes/n1.yaml:2:1: error: a second YAML document ('---'); "
		  "a node file holds exactly one");
	check_one(NULL, "n1.yaml", "---\ninstall: false\n...\n", 0, 0, NULL);
	check_one(NULL, "n1.yaml", "install: false\nx-o: !!python/object:"
		  "os.system {a: 1}\n", 1, 0, "nodes/n1.yaml:2:6: error: "
		  "unsupported YAML tag !!python/object:os.system; remove it");
	check_one(NULL, "n1.yaml", "x-o: !!python/object/apply:os.system "
		  "[ls]\n", 1, 0, "nodes/n1.yaml:1:6: error: unsupported YAML "
		  "tag !!python/object/apply:os.system; remove it");
	check_one(NULL, "n1.yaml", "serial: !!python/str S1\n", 1, 0,
		  "nodes/n1.yaml:1:9: error: unsupported YAML tag "
		  "!!python/str; remove it");
	/* json.dumps cannot write a set */
	check_one(NULL, "n1.yaml", "x-s: !!set {a, b}\n", 1, 0,
		  "nodes/n1.yaml:1:6: error: unsupported YAML tag !!set; "
		  "remove it");
	check_one(NULL, "n1.yaml", "vlan: !!int abc\n", 1, 0,
		  "nodes/n1.yaml:1:7: error: value 'abc' does not match its "
		  "tag !!int");
	check_one(NULL, "n1.yaml", "x-o: !!map {a: 1}\nx-s: !!seq [1]\n"
		  "serial: !!str 123\n", 0, 0, NULL);
}

/**
 * A bad value in a _defaults.yaml is reported once, at its position, and
 * not once per node below it.
 *
 * @v state     cmocka state
 */
static void test_defaults_once(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", "vlan: 0\ninterface: ens1\n");
	testtree_write(&t, "a/n1.yaml", "install: false\n");
	testtree_write(&t, "a/n2.yaml", "install: false\n");
	testtree_write(&t, "b/n3.yaml", "install: false\n");
	assert_int_equal(testtree_check(&t), 1);
	assert_int_equal(count_lines(&t), 1);
	testtree_expect(&t, "nodes/_defaults.yaml:1:7: error: vlan must be a "
			"number from 1 to 4094, not '0'");
	testtree_free(&t);

	/* Two messages at one position, for each of two nodes */
	testtree_init(&t);
	testtree_write(&t, "a/_defaults.yaml", "serial: 0\n");
	testtree_write(&t, "a/n1.yaml", "install: false\n");
	testtree_write(&t, "a/n2.yaml", "install: false\n");
	assert_int_equal(testtree_check(&t), 1);
	assert_int_equal(t.inv.diags.warnings, 1);
	assert_int_equal(count_lines(&t), 2);
	testtree_expect(&t, "nodes/a/_defaults.yaml:1:9: warning: serial: YAML "
			"reads 0 as the integer 0, and merge.py and the "
			"templates would see that; quote it: serial: \"0\"");
	testtree_expect(&t, "nodes/a/_defaults.yaml:1:9: error: serial: '0' is "
			"a firmware placeholder, not an identity; use "
			"boardSerial, mac or uuid instead");
	testtree_free(&t);
}

/**
 * Defaults merge from the root down; the nearest file wins.
 *
 * @v state     cmocka state
 */
static void test_merge(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", "interface: eth0\nvlan: 10\n"
		       "ntp: a.example\n");
	testtree_write(&t, "a/_defaults.yaml", "interface: ens1\n");
	testtree_write(&t, "a/b/n1.yaml", "vlan: 20\n");
	testtree_write(&t, "n2.yaml", "ntp: b.example\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_string_equal(t.inv.nodes[0].filename, "a/b/n1");
	assert_string_equal(t.nodes[0].interface, "ens1");
	assert_int_equal(t.nodes[0].vlan, 20);
	assert_string_equal(t.nodes[0].ntp, "a.example");
	assert_string_equal(t.inv.nodes[1].filename, "./n2");
	assert_string_equal(t.nodes[1].interface, "eth0");
	assert_int_equal(t.nodes[1].vlan, 10);
	assert_string_equal(t.nodes[1].ntp, "b.example");
	testtree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_not_mapping),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_url_ipv6),
		cmocka_unit_test(test_vlan_interface),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_talos),
		cmocka_unit_test(test_kernel_args),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many_claims),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_root_unreadable),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_file_size),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_documents_and_tags),
		cmocka_unit_test(test_defaults_once),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
