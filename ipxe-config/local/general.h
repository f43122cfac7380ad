/*
 * pxeinv: local overrides for iPXE's config/general.h
 *
 * Copied into src/config/local/general.h by build-ipxe.sh.  iPXE
 * includes this file at the very end of config/general.h, so every
 * option here must be #undef'd before it is (re)defined.
 */

/*
 * Download protocols
 *
 * HTTPS is enabled on every platform, including the BIOS builds
 * (ipxe.pxe, undionly.kpxe), where upstream leaves it disabled to
 * save space.  TFTP and HTTP stay enabled (upstream defaults).
 */
#undef DOWNLOAD_PROTO_HTTPS
#define DOWNLOAD_PROTO_HTTPS	/* Secure Hypertext Transfer Protocol */

/*
 * Network protocols
 *
 * NET_PROTO_IPV6 is left at the upstream default.  The embedded
 * script configures the interface with "ifconf --configurator dhcp",
 * so no IPv6 router advertisement is waited for unless a chained
 * script asks for it (e.g. "ifconf" or "ifconf -c ipv6").
 */

/*
 * Commands used by the embedded script and by the scripts that
 * pxeinv generates: image management (imgfree, kernel, initrd,
 * boot, chain), interface and DHCP management, settings (set,
 * inc), VLANs, and a few diagnostics for operators on the console.
 * The script control commands (goto, iseq, isset, sleep, echo,
 * exit) are always present.
 */
#undef IMAGE_CMD
#define IMAGE_CMD		/* Image management commands */
#undef IFMGMT_CMD
#define IFMGMT_CMD		/* Interface management commands */
#undef DHCP_CMD
#define DHCP_CMD		/* DHCP management commands */
#undef NVO_CMD
#define NVO_CMD			/* Non-volatile option storage commands */
#undef ROUTE_CMD
#define ROUTE_CMD		/* Routing table management commands */
#undef SHELL_CMD
#define SHELL_CMD		/* Shell command */
#undef VLAN_CMD
#define VLAN_CMD		/* VLAN commands (also on BIOS) */
#undef PING_CMD
#define PING_CMD		/* Ping command */
#undef NSLOOKUP_CMD
#define NSLOOKUP_CMD		/* DNS resolving command */
#undef IPSTAT_CMD
#define IPSTAT_CMD		/* IP statistics commands */
#undef REBOOT_CMD
#define REBOOT_CMD		/* Reboot command */
#undef POWEROFF_CMD
#define POWEROFF_CMD		/* Power off command */
