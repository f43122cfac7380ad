/*
 * pxeinv: local overrides for iPXE's config/dhcp.h
 *
 * Copied into src/config/local/dhcp.h by build-ipxe.sh.
 *
 * ProxyDHCP: after a DHCPOFFER, iPXE keeps waiting up to
 * DHCP_DISC_PROXY_TIMEOUT_SEC for ProxyDHCP offers.  pxeinv's
 * dnsmasq ends that wait at once: in full DHCP mode it sends option
 * 175.176 (no-pxedhcp) = 1, and in proxy mode its own ProxyDHCP
 * offer is what iPXE waits for.  The upstream value (2 seconds) is
 * therefore kept as the upper bound for foreign DHCP setups; setting
 * it to zero would break ProxyDHCP behind a faster DHCP server.
 *
 * Nothing is overridden at present; this file exists so that the
 * build always has a known config/local/dhcp.h (an empty local
 * directory would let a stray file from an earlier build leak in).
 */
