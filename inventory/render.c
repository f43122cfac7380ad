/*
 * Rendering iPXE scripts and the dnsmasq fragment.
 */
#include <stdarg.h>
#include <string.h>

#include "render.h"
#include "version.h"

/**
 * Write strings in order, up to a NULL.
 *
 * The hot paths write every node once or twice: this costs a fraction of
 * fprintf's format parsing.
 *
 * @v out       Output
 * @v ...       Strings, then NULL
 */
static void __attribute__((sentinel)) render_put(FILE *out, ...)
{
	const char *s;
	va_list ap;

	va_start(ap, out);
	while ((s = va_arg(ap, const char *)) != NULL)
		fputs(s, out);
	va_end(ap);
}

/**
 * Write ".VLAN".
 *
 * @v out       Output
 * @v vlan      VLAN id, 1-4094 (checked)
 */
static void render_vlan_suffix(FILE *out, int vlan)
{
	char digits[8];
	int i = sizeof(digits);

	digits[--i] = '\0';
	do {
		digits[--i] = (char)('0' + vlan % 10);
		vlan /= 10;
	} while (vlan && i > 1);
	digits[--i] = '.';
	fputs(&digits[i], out);
}

/**
 * Write a MAC address with '-' for ':', as iPXE's ${mac:hexhyp}.
 *
 * @v out       Output
 * @v label     Label prefix (":m_", ":mac_")
 * @v mac       MAC address
 */
static void render_mac_label(FILE *out, const char *label, const char *mac)
{
	fputs(label, out);
	for (; *mac; mac++)
		fputc(*mac == ':' ? '-' : *mac, out);
	fputc('\n', out);
}

/**
 * Write an address of the ip= argument: an IPv6 one in brackets, as Talos
 * splits ip= on the colons outside brackets.  Only a checked IPv6 address
 * has a ':'.
 *
 * @v out       Output
 * @v addr      Address, or NULL for none (nothing is written)
 */
static void render_ip_addr(FILE *out, const char *addr)
{
	if (!addr)
		return;
	if (strchr(addr, ':'))
		render_put(out, "[", addr, "]", NULL);
	else
		fputs(addr, out);
}

void render_kernel_args(FILE *out, const struct node *n)
{
	const char *dev = n->interface ? n->interface : "";

	/* ip=<client>::<gw>:<netmask>:<hostname>:<device>::<dns0>:<dns1>:<ntp> */
	if (n->ip) {
		fputs("ip=", out);
		render_ip_addr(out, n->ip);
		fputs("::", out);
		render_ip_addr(out, n->gateway);
		render_put(out, ":", n->netmask, ":", n->hostname, ":", dev,
			   NULL);
		if (n->vlan)
			render_vlan_suffix(out, n->vlan);
		fputs("::", out);
		render_ip_addr(out, n->dns0);
		fputc(':', out);
		render_ip_addr(out, n->dns1);
		fputc(':', out);
		render_ip_addr(out, n->ntp);
	} else if (n->vlan || n->interface) {
		render_put(out, "ip=::::", n->hostname, ":", dev, NULL);
		if (n->vlan)
			render_vlan_suffix(out, n->vlan);
		fputs(":dhcp", out);
	} else {
		fputs("ip=dhcp", out);
	}
	if (n->vlan) {
		render_put(out, " vlan=", n->interface, NULL);
		render_vlan_suffix(out, n->vlan);
		render_put(out, ":", n->interface, NULL);
	}
	if (n->kernel_args && n->kernel_args[0])
		render_put(out, " ", n->kernel_args, NULL);
	if (n->halt_if_installed)
		fputs(" talos.halt_if_installed=1", out);
	if (n->talos_config)
		render_put(out, " talos.config=", n->talos_config, NULL);
	if (n->extra_args && n->extra_args[0])
		render_put(out, " ", n->extra_args, NULL);
}

const char *render_image_base(const struct node *n)
{
	return n->image_base ? n->image_base : NODE_DEFAULT_IMAGE_BASE;
}

/**
 * List the files a node's boot lines fetch, whatever its install mode.
 *
 * @v n         Node
 * @v assets    The files, in the order the boot lines fetch them
 * @ret count   Number of files (1 for a UKI, else 2)
 */
static size_t render_boot_assets(const struct node *n,
				 enum render_asset assets[RENDER_ASSETS_MAX])
{
	if (n->uki) {
		assets[0] = RENDER_ASSET_UKI;
		return 1;
	}
	assets[0] = RENDER_ASSET_KERNEL;
	assets[1] = RENDER_ASSET_INITRD;
	return 2;
}

size_t render_node_assets(const struct node *n,
			  enum render_asset assets[RENDER_ASSETS_MAX])
{
	/* install: false: the node's script exits and fetches nothing */
	if (n->install == PXEINV_INSTALL_NO)
		return 0;
	return render_boot_assets(n, assets);
}

void render_asset_url(FILE *out, const char *base, const struct node *n,
		      enum render_asset asset)
{
	static const char *const files[][2] = {
		[RENDER_ASSET_KERNEL] = { "kernel-amd64", "kernel-arm64" },
		[RENDER_ASSET_INITRD] = { "initramfs-amd64.xz",
					  "initramfs-arm64.xz" },
		[RENDER_ASSET_UKI] = { "metal-amd64-uki.efi",
				       "metal-arm64-uki.efi" },
	};

	if (base)
		render_put(out, base, "/", NULL);
	render_put(out, n->schematic, "/", n->version, "/",
		   files[asset][strcmp(n->arch, "arm64") == 0], NULL);
}

void render_boot_lines(FILE *out, const struct node *n)
{
	const char *base = render_image_base(n);
	enum render_asset assets[RENDER_ASSETS_MAX];
	size_t count = render_boot_assets(n, assets);

	fputs("imgfree\nkernel ", out);
	render_asset_url(out, base, n, assets[0]);
	fputc(' ', out);
	render_kernel_args(out, n);
	if (count > 1) {
		fputs("\ninitrd ", out);
		render_asset_url(out, base, n, assets[1]);
	}
	fputs("\nboot\n", out);
}

void render_node_script(FILE *out, const struct node *n)
{
	/* pxeinv-hook reads the install line of the script it saw served */
	render_put(out, "#!ipxe\n# ", n->hostname, " (", n->inv->filename,
		   "), generated by pxeinv " PXEINV_VERSION "; do not edit\n"
		   "# install: ", pxeinv_install_name(n->install), "\n", NULL);
	if (n->install == PXEINV_INSTALL_NO) {
		render_put(out, "echo pxeinv: ", n->hostname, " is not to be "
			   "installed (install: false); booting from local "
			   "disk\nexit\n", NULL);
		return;
	}
	render_put(out, "echo pxeinv: ", n->hostname, ": booting the Talos ",
		   n->version, " installer (", n->arch, ")\n", NULL);
	render_boot_lines(out, n);
}

void render_exit_script(FILE *out)
{
	fprintf(out, "#!ipxe\n# generated by pxeinv %s; do not edit\n"
		"echo pxeinv: nothing to install on this machine; booting "
		"from local disk\nexit\n", PXEINV_VERSION);
}

void render_fallback_script(FILE *out)
{
	/* One small fetch of an index entry, named by the identity iPXE
	 * reads from SMBIOS, in the steering's order; a relative name
	 * resolves against this script's own URI (tftp:// or http://).
	 * Fetched first, run after: a node script that fails (its kernel
	 * cannot be fetched) is not run again through the next identity. */
	fprintf(out, "#!ipxe\n# Fallback dispatcher, generated by pxeinv %s; "
		"do not edit.\n# dnsmasq could not identify this client: "
		"find its node by serial and board serial, board serial or "
		"serial\n# in the identity index (" PXEINV_TFTP_INDEX "/).\n",
		PXEINV_VERSION);
	fputs("isset ${serial} && isset ${board-serial} && imgfetch --name "
	      "pxeinv-index index/" PXEINV_INDEX_SERIAL_BOARD "/"
	      "${serial:uristring}" PXEINV_INDEX_PAIR_SEP
	      "${board-serial:uristring}" PXEINV_SCRIPT_EXT " && goto found ||\n"
	      "isset ${board-serial} && imgfetch --name pxeinv-index index/"
	      PXEINV_INDEX_BOARD_SERIAL "/${board-serial:uristring}"
	      PXEINV_SCRIPT_EXT " && goto found ||\n"
	      "isset ${serial} && imgfetch --name pxeinv-index index/"
	      PXEINV_INDEX_SERIAL "/${serial:uristring}" PXEINV_SCRIPT_EXT
	      " && goto found ||\n"
	      "echo pxeinv: unknown machine (serial ${serial}, board serial "
	      "${board-serial}, uuid ${uuid}, mac ${mac}); booting from "
	      "local disk\n"
	      "exit\n"
	      ":found\n"
	      "chain --autofree pxeinv-index\n", out);
}

void render_index_entry(FILE *out, const char *hostname, int once)
{
	/* index/KIND/ENTRY.ipxe: ../../ is the pxeinv directory */
	fputs("#!ipxe\n", out);
	/* Installed already (the hook wrote its exit script): that script
	 * exits, and so does this one; else the download fails and the
	 * installer follows */
	if (once)
		render_put(out, "chain --autofree ../../" PXEINV_TFTP_INSTALLED
			   "/", hostname, PXEINV_SCRIPT_EXT " && exit ||\n",
			   NULL);
	render_put(out, "chain --autofree ../../nodes/", hostname,
		   PXEINV_SCRIPT_EXT "\n", NULL);
}

void render_monolithic(FILE *out, const struct node *nodes, size_t count)
{
	size_t i;
	int m;

	/* Lines as the seed's template writes them; pxeinv adds the
	 * board-serial, UUID and MAC labels. */
	fputs("#!ipxe\n\ndhcp\n\n", out);
	fputs("goto board_${board-serial} ||\n"
	      "goto uuid_${uuid} ||\n"
	      "goto mac_${mac:hexhyp} ||\n", out);
	fputs("goto node_${serial}  || exit # or ${board-serial} depending on "
	      "used hardware\n# Default behavior (non install mode) is to "
	      "exit iPXE script\n\n", out);
	for (i = 0; i < count; i++) {
		const struct node *n = &nodes[i];

		if (n->install == PXEINV_INSTALL_NO) {
			fputc('\n', out);
			continue;
		}
		render_put(out, "\n# ", n->inv->filename, "\n", NULL);
		if (n->serial)
			render_put(out, ":node_", n->serial, "\n", NULL);
		if (n->board_serial && !n->board_shared)
			render_put(out, ":board_", n->board_serial, "\n", NULL);
		if (n->uuid)
			render_put(out, ":uuid_", n->uuid, "\n", NULL);
		for (m = 0; m < n->nmacs; m++)
			render_mac_label(out, ":mac_", n->macs[m]);
		render_boot_lines(out, n);
	}
	fputc('\n', out);
}

void render_dnsmasq_conf(FILE *out, const struct render_conf *c,
			 size_t count)
{
	const char *p;
	size_t i;

	/* NODES_DIR is only a comment here, but a newline in it must not
	 * start a configuration line */
	fprintf(out, "# pxe-inventory.conf: generated by pxeinv %s from ",
		PXEINV_VERSION);
	for (p = c->nodes_dir; *p; p++)
		fputc((*p < 0x20 || *p == 0x7f) ? '?' : *p, out);
	fprintf(out, " (%zu nodes); do not edit.\n# Include it from "
		"/etc/dnsmasq.d, or with conf-file=.\n\n", count);
	fprintf(out, "enable-tftp\ntftp-root=%s\n\n", c->tftp_root);
	fputs("# Firmware PXE gets iPXE; iPXE (option 175) gets a script.\n"
	      "# The patched dnsmasq does this per node from the cache below;\n"
	      "# these lines are what any dnsmasq does without it.\n", out);
	fputs("dhcp-match=set:ipxe,175\n"
	      "dhcp-match=set:pxeinv-bios,option:client-arch,0\n"
	      "dhcp-match=set:pxeinv-efi64,option:client-arch,7\n"
	      "dhcp-match=set:pxeinv-efi64,option:client-arch,9\n"
	      "dhcp-match=set:pxeinv-arm64,option:client-arch,11\n", out);
	if (c->bios)
		fprintf(out, "dhcp-boot=tag:pxeinv-bios,tag:!ipxe,%s\n",
			c->bios);
	if (c->efi_x64)
		fprintf(out, "dhcp-boot=tag:pxeinv-efi64,tag:!ipxe,%s\n",
			c->efi_x64);
	if (c->efi_arm64)
		fprintf(out, "dhcp-boot=tag:pxeinv-arm64,tag:!ipxe,%s\n",
			c->efi_arm64);
	fprintf(out, "dhcp-boot=tag:ipxe,%s\n", c->fallback);
	fputs("# iPXE: do not wait for ProxyDHCP offers\n"
	      "dhcp-option=tag:ipxe,encap:175,176,1b\n\n", out);
	if (c->proxy)
		fputs("# Proxy DHCP (compile --proxy): another server hands out "
		      "addresses, this one\n# only boot answers, on the "
		      "dhcp-range=NETWORK,proxy lines of the host's\n# "
		      "configuration. ,proxy below switches PXE handling on "
		      "(port 4011 too);\n# UEFI HTTP boot clients are PXE "
		      "clients too.\n"
		      "dhcp-pxe-vendor=PXEClient,HTTPClient\n", out);
	if (c->ndhcp6_ranges)
		fputs("# DHCPv6 (compile --dhcp6-range): UEFI PXE over IPv6 and "
		      "iPXE take their\n# address from stateful DHCPv6, so "
		      "each range hands out addresses;\n# pxe-inventory= "
		      "below steers their requests as in DHCPv4.\n", out);
	for (i = 0; i < c->ndhcp6_ranges; i++)
		fprintf(out, "dhcp-range=%s\n", c->dhcp6_ranges[i]);
	if (c->ndhcp6_ranges && c->ra)
		fputs("# Router advertisements with the M flag, which tells "
		      "iPXE (and hosts) to\n# use DHCPv6; compile --no-ra "
		      "leaves this out when a router sends them.\n"
		      "enable-ra\n", out);
	fprintf(out, "pxe-inventory=%s%s%s%s\n", c->cache,
		c->state_dir ? ",state:" : "", c->state_dir ? c->state_dir : "",
		c->proxy ? ",proxy" : "");
	if (c->hook)
		fprintf(out, "dhcp-script=%s\n", c->hook);
}
