/*
 * A checked node: the merged values of one machine, validated and typed.
 * Everything rendered into an iPXE script, a dnsmasq line, a file name or
 * the cache comes from here, and only after node_check_all() (check.h)
 * accepted it.
 */
#ifndef PXEINV_NODE_H
#define PXEINV_NODE_H

#include "inventory.h"
#include "pxeinv.h"

/** Default image base URL */
#define NODE_DEFAULT_IMAGE_BASE "https://pxe.factory.talos.dev/image"
/** Most MACs one node may list */
#define NODE_MAX_MACS 16

/** A checked node */
struct node {
	const struct inv_node *inv;
	const char *hostname;
	enum pxeinv_install install;
	const char *arch;               /**< "amd64" or "arm64" */
	const char *schematic;
	const char *version;
	const char *image_base;         /**< without trailing '/' */
	const char *kernel_args;        /**< NULL when absent */
	const char *extra_args;
	const char *talos_config;       /**< rendered form (see check) */
	const char *ip;                 /**< NULL for DHCP */
	const char *netmask;
	const char *gateway;
	const char *interface;
	const char *dns0;
	const char *dns1;
	const char *ntp;
	int vlan;                       /**< 0 when none */
	int uki;
	int halt_if_installed;
	const char *serial;             /**< identity keys, NULL when absent */
	const char *board_serial;
	const char *uuid;               /**< lower case */
	const char *macs[NODE_MAX_MACS];/**< lower case, ':' separated */
	const struct inv_kv *mac_kv[NODE_MAX_MACS];
	int nmacs;
	int serial_shared;               /**< another node has this serial */
	int board_shared;                /**< another node has this board serial */
	int pair_duplicate;              /**< another node has the same pair */
	int errors;                     /**< errors found in this node */
};

#endif /* PXEINV_NODE_H */
