/*
 * `pxeinv compile --http-url URL`: the names iPXE clients are handed.
 *
 * Without --http-url, an iPXE client is handed a script's path relative
 * to the TFTP root (pxeinv/nodes/NODE.ipxe), which iPXE fetches from
 * tftp://${next-server}/.  With it, every script an iPXE client is handed
 * (node scripts, fallback.ipxe, exit.ipxe) is the absolute URL
 * URL/pxeinv/..., so that a client that arrived by UEFI HTTP boot, where
 * UDP/69 may be blocked, never needs TFTP.  Firmware PXE still gets its
 * iPXE binary over TFTP; UEFI HTTP boot gets URL/<binary>.
 */
#ifndef PXEINV_COMPILE_HTTP_H
#define PXEINV_COMPILE_HTTP_H

#include <stddef.h>

#include "compile.h"
#include "node.h"

/** Longest file name a DHCP reply carries in its BOOTP file field (128
 * bytes with the NUL).  Proxy-DHCP replies carry the file there only
 * (dnsmasq sends no option 67 in them), and full DHCP does too when the
 * client does not ask for option 67: every name handed out must fit. */
#define COMPILE_BOOT_FILE_MAX 127

/**
 * Write the name an iPXE client is handed for a script of the TFTP root.
 *
 * @v opts      Settings (http_url, without a trailing '/', or NULL)
 * @v out       Output
 * @v size      Size of out
 * @v rel       Path relative to the TFTP root (pxeinv/...)
 * @ret rc      0, or -ENAMETOOLONG when it does not fit
 */
int compile_http_name(const struct compile_opts *opts, char *out,
		      size_t size, const char *rel);

/**
 * Check that every name handed out with --http-url fits a DHCP reply's
 * file field: the HTTP boot binaries, the shared scripts and each node's
 * script.
 *
 * @v url       --http-url, without a trailing '/'
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 * @v err       One-line reason, naming the longest name, on failure
 * @v errlen    Size of err
 * @ret rc      0, or -ENAMETOOLONG
 */
int compile_http_check(const char *url, const struct node *nodes,
		       size_t count, char *err, size_t errlen);

/**
 * Count the nodes to be installed once, and name the first of them.
 *
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 * @v first     The first such node's name, or NULL when there is none
 * @ret once    Number of install: once nodes
 */
size_t compile_http_once_nodes(const struct node *nodes, size_t count,
			       const char **first);

#endif /* PXEINV_COMPILE_HTTP_H */
