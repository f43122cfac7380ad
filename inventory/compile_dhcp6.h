/*
 * `pxeinv compile --dhcp6-range RANGE`: the DHCPv6 ranges the fragment
 * serves.
 *
 * RANGE is dnsmasq's own dhcp-range syntax for IPv6, written into the
 * fragment as dhcp-range=RANGE, so it is checked strictly first: nothing
 * in it may start another configuration line or give firmware no address.
 * UEFI PXE over IPv6 and iPXE take their address from stateful DHCPv6, so
 * a range must have an end address and no mode that hands out none.
 */
#ifndef PXEINV_COMPILE_DHCP6_H
#define PXEINV_COMPILE_DHCP6_H

#include <stddef.h>

/** Most --dhcp6-range options one compile takes */
#define COMPILE_DHCP6_RANGES_MAX 16

/** Longest --dhcp6-range */
#define COMPILE_DHCP6_RANGE_LEN_MAX 256

/** The RANGE syntax, as --help and errors show it */
#define COMPILE_DHCP6_RANGE_SYNTAX "[tag:T,][set:T,]START,END" \
	"[,constructor:IFACE][,MODE][,PREFIX-LEN][,LEASE]"

/**
 * Check a --dhcp6-range value.
 *
 * Accepted: tag:NAME and set:NAME fields, then START,END (IPv6 addresses
 * of one PREFIX-LEN network; with constructor:IFACE only their host part,
 * ::N), then constructor:IFACE and the modes slaac, ra-names,
 * ra-advrouter and off-link, then a prefix length (64-128; exactly 64
 * with a constructor or a mode that sends router advertisements for the
 * range), then a lease time (N, Ns, Nm, Nh, Nd, Nw, infinite or
 * deprecated).  Refused: ra-only and ra-stateless (no address), static
 * (addresses for dhcp-host machines only), and any character outside
 * letters, digits and ":.,_*-".
 *
 * @v range     Value
 * @v err       What is wrong, on failure
 * @v errlen    Size of err
 * @ret rc      0, or -EINVAL
 */
int compile_dhcp6_range_check(const char *range, char *err, size_t errlen);

#endif /* PXEINV_COMPILE_DHCP6_H */
