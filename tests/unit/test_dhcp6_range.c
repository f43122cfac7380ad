/*
 * Unit tests: compile --dhcp6-range's check, each refusal with the exact
 * message, and the ranges of dnsmasq's own syntax it must take.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../inventory/compile_dhcp6.h"

/**
 * Assert that a range is refused with a message.
 *
 * @v range     Range
 * @v want      Expected message
 */
static void refused(const char *range, const char *want)
{
	char err[1024] = "";

	assert_int_equal(compile_dhcp6_range_check(range, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
}

/**
 * Ranges of dnsmasq's syntax that give firmware an address are taken.
 *
 * @v state     cmocka state
 */
static void test_dhcp6_taken(void **state)
{
	static const char *const ok[] = {
		"fd00::100,fd00::1ff",
		"fd00::100,fd00::1ff,64,1h",
		"2001:db8:0:1::100,2001:db8:0:1::1ff,64,infinite",
		"::100,::1ff,constructor:eth0,64,1h",
		"::100,::1ff,constructor:enp*,12h",
		"tag:lab,set:v6,fd00::100,fd00::1ff,slaac,64,3600",
		"fd00::100,fd00::1ff,ra-names,off-link",
		"fd00::100,fd00::1ff,112,deprecated",
		NULL };
	char err[512];
	int i;

	(void)state;
	for (i = 0; ok[i]; i++) {
		err[0] = '\0';
		if (compile_dhcp6_range_check(ok[i], err, sizeof(err)) != 0)
			fail_msg("%s refused: %s", ok[i], err);
	}
}

/**
 * Ranges that give no address, or that could inject a line, are refused.
 *
 * @v state     cmocka state
 */
static void test_dhcp6_refused(void **state)
{
	(void)state;
	refused("fd00::100,ra-only", "--dhcp6-range 'fd00::100,ra-only': mode "
		"ra-only gives no DHCPv6 address, and UEFI PXE and iPXE need "
		"one (stateful DHCPv6); leave the mode out, or use slaac to "
		"offer both");
	refused("fd00::1,fd00::9,ra-stateless", "--dhcp6-range 'fd00::1,"
		"fd00::9,ra-stateless': mode ra-stateless gives no DHCPv6 "
		"address, and UEFI PXE and iPXE need one (stateful DHCPv6); "
		"leave the mode out, or use slaac to offer both");
	refused("fd00::1,static", "--dhcp6-range 'fd00::1,static': mode "
		"static gives addresses only to machines of dhcp-host lines, "
		"and firmware of any other gets none; leave it out");
	refused("fd00::100", "--dhcp6-range 'fd00::100': the start address "
		"needs an end address (START,END): UEFI PXE and iPXE need an "
		"address from stateful DHCPv6, which only a range with an end "
		"hands out");
	refused("fd00::1,fd00::9\nenable-tftp", "--dhcp6-range: a newline at "
		"character 16 is not allowed (it could change dnsmasq's "
		"configuration); write " COMPILE_DHCP6_RANGE_SYNTAX " with "
		"letters, digits and :.,_*-");
	refused("fd00::1,fd00::9,\"1h\"", "--dhcp6-range: '\"' at character "
		"17 is not allowed (it could change dnsmasq's configuration); "
		"write " COMPILE_DHCP6_RANGE_SYNTAX " with letters, digits and "
		":.,_*-");
	refused("fd00::1,fd00::9 #x", "--dhcp6-range: a space at character "
		"16 is not allowed (it could change dnsmasq's configuration); "
		"write " COMPILE_DHCP6_RANGE_SYNTAX " with letters, digits and "
		":.,_*-");
	refused("10.0.0.10,10.0.0.99", "--dhcp6-range '10.0.0.10,10.0.0.99': "
		"'10.0.0.10' is not an IPv6 start address; write "
		COMPILE_DHCP6_RANGE_SYNTAX);
	refused("::100,::1ff", "--dhcp6-range '::100,::1ff': ::100 is only a "
		"host part; add constructor:IFACE, or write the network's own "
		"addresses (fd00::100,fd00::1ff)");
	refused("fd00::100,::1ff,constructor:eth0", "--dhcp6-range "
		"'fd00::100,::1ff,constructor:eth0': with constructor:, START "
		"and END are host parts (::100,::1ff): their first 64 bits "
		"must be zero");
	refused("::1,::2,constructor:", "--dhcp6-range '::1,::2,constructor:"
		"': 'constructor:' is not constructor:IFACE (an interface name "
		"of 1-15 letters, digits, '_', '.' or '-', '*' at its end)");
	refused("fd00::1,fd01::9", "--dhcp6-range 'fd00::1,fd01::9': fd00::1 "
		"and fd01::9 are not in one /64 network");
	refused("fe80::1,fe80::9", "--dhcp6-range 'fe80::1,fe80::9': fe80::1 "
		"is a multicast or link-local address; a range hands out "
		"global or unique-local ones");
	refused("fd00::1,fd00::9,48", "--dhcp6-range 'fd00::1,fd00::9,48': "
		"prefix length 48 is not 64-128 (dnsmasq takes no shorter "
		"one)");
	refused("fd00::1,fd00::9,slaac,80", "--dhcp6-range 'fd00::1,fd00::9,"
		"slaac,80': prefix length 80: a range with constructor: or a "
		"router-advertisement mode must be /64");
	refused("fd00::1,fd00::9,1h,64", "--dhcp6-range 'fd00::1,fd00::9,1h,"
		"64': '64' is not understood here; write "
		COMPILE_DHCP6_RANGE_SYNTAX " (modes: slaac, ra-names, "
		"ra-advrouter, off-link; lease: 1h, 12h, infinite, ...)");
	refused("fd00::1,fd00::9,,1h", "--dhcp6-range 'fd00::1,fd00::9,,1h': "
		"field 3 is empty");
	refused("tag:a_b!,fd00::1,fd00::9", "--dhcp6-range: '!' at character "
		"8 is not allowed (it could change dnsmasq's configuration); "
		"write " COMPILE_DHCP6_RANGE_SYNTAX " with letters, digits and "
		":.,_*-");
	refused("", "--dhcp6-range '': must be 1 to 256 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp6_taken),
		cmocka_unit_test(test_dhcp6_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
