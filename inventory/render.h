/*
 * Rendering checked nodes: iPXE scripts and the dnsmasq fragment.
 * Every value rendered here has passed node_check_all().
 */
#ifndef PXEINV_RENDER_H
#define PXEINV_RENDER_H

#include <stdio.h>

#include "node.h"
#include "pxeinv.h"

/** Settings of the generated dnsmasq fragment */
struct render_conf {
	const char *nodes_dir;          /**< NODES_DIR, for comments */
	const char *tftp_root;          /**< absolute TFTP root */
	const char *cache;              /**< absolute cache path */
	const char *hook;               /**< dhcp-script, or NULL */
	const char *state_dir;          /**< state directory, or NULL */
	const char *bios;               /**< binaries present, or NULL */
	const char *efi_x64;
	const char *efi_arm64;
	const char *http_x64;           /**< HTTP boot URLs, or NULL */
	const char *http_arm64;
	const char *fallback;           /**< what iPXE is handed: the
					     fallback's TFTP path, or its URL
					     (--http-url) */
	int proxy;                      /**< proxy DHCP lines */
	const char *const *dhcp6_ranges;/**< dhcp-range= lines (DHCPv6) */
	size_t ndhcp6_ranges;
	int ra;                         /**< enable-ra with them */
};

/** A file a node's boot lines fetch from its image base */
enum render_asset {
	RENDER_ASSET_KERNEL,    /**< kernel-ARCH */
	RENDER_ASSET_INITRD,    /**< initramfs-ARCH.xz */
	RENDER_ASSET_UKI,       /**< metal-ARCH-uki.efi */
};

/** Most files one node fetches (kernel and initramfs) */
#define RENDER_ASSETS_MAX 2

/**
 * Find a node's image base URL.
 *
 * @v n         Node
 * @ret base    imageBaseURL, or the factory's default (no trailing '/')
 */
const char *render_image_base(const struct node *n);

/**
 * List the files a node's script fetches.
 *
 * @v n         Node
 * @v assets    The files, in the order the script fetches them
 * @ret count   Number of files: 0 for install: false (the script exits),
 *              1 for a UKI, else 2
 */
size_t render_node_assets(const struct node *n,
			  enum render_asset assets[RENDER_ASSETS_MAX]);

/**
 * Write the URL of one of a node's files, or its path below the image
 * base (SCHEMATIC/VERSION/FILE, the factory's layout).  The one place
 * that knows that layout: the scripts and `pxeinv assets` both use it.
 *
 * @v out       Stream
 * @v base      Image base URL, or NULL for the path alone
 * @v n         Node
 * @v asset     File
 */
void render_asset_url(FILE *out, const char *base, const struct node *n,
		      enum render_asset asset);

/**
 * Write a node's kernel command line arguments (after the kernel URL).
 *
 * The seed's arguments come first and in its order: ip=, vlan=, then
 * kernelArgs; pxeinv's own additions follow.
 *
 * @v out       Stream
 * @v n         Node
 */
void render_kernel_args(FILE *out, const struct node *n);

/**
 * Write the boot lines of a node (imgfree, kernel, initrd, boot).
 *
 * @v out       Stream
 * @v n         Node
 */
void render_boot_lines(FILE *out, const struct node *n);

/**
 * Write a node's own iPXE script.
 *
 * @v out       Stream
 * @v n         Node
 */
void render_node_script(FILE *out, const struct node *n);

/**
 * Write the script that exits to the local disk.
 *
 * @v out       Stream
 */
void render_exit_script(FILE *out);

/**
 * Write the fallback dispatcher for iPXE clients dnsmasq did not identify:
 * it fetches the identity index's entry for the client's serial and board
 * serial (compile_index.c writes the index), and runs it.  Its size does
 * not depend on the inventory.
 *
 * @v out       Stream
 */
void render_fallback_script(FILE *out);

/**
 * Write one entry of the identity index: a script that chains a node's
 * script, relative to PXEINV_TFTP_INDEX/KIND/.
 *
 * @v out       Stream
 * @v hostname  Node
 * @v once      A boot-once node: try its exit script in
 *              PXEINV_TFTP_INSTALLED first (the hook keeps state: the tree
 *              links to it), and exit when it ran
 */
void render_index_entry(FILE *out, const char *hostname, int once);

/**
 * Write the seed-compatible monolithic ipxe.conf.
 *
 * @v out       Stream
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 */
void render_monolithic(FILE *out, const struct node *nodes, size_t count);

/**
 * Write the dnsmasq fragment pxe-inventory.conf.
 *
 * @v out       Stream
 * @v conf      Settings
 * @v count     Number of nodes
 */
void render_dnsmasq_conf(FILE *out, const struct render_conf *conf,
			 size_t count);

#endif /* PXEINV_RENDER_H */
