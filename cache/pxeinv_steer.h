/*
 * pxeinv lookup cache: the steering decision.
 *
 * Firmware PXE gets the iPXE binary of its architecture (option
 * 93, else the vendor class); iPXE (option 175, or user class "iPXE" or our
 * identity report) gets the script of the node it is identified as (by MAC,
 * then UUID in either byte order, then client-id, then a DHCPv6 DUID's
 * MAC, then serial and board
 * serial reported by our iPXE build), and an unknown client gets the
 * fallback dispatcher.  A node's own script exits to disk when the node is
 * not to be installed.  An iPXE that says (option 175) it has no HTTPS,
 * such as an old NIC ROM, is handed an iPXE binary instead of the script of
 * a node whose images are on HTTPS; the binary has HTTPS, so this happens
 * once.  A node with install "once" gets the exit script
 * instead of its own once STATE_DIR/once/NODE exists (the pxeinv hook
 * creates it when the node's script has been fetched; `pxeinv rearm`
 * removes it): with a state directory, that one faccessat() is the only
 * I/O of the steering.
 *
 * pxeinv_steer() is the one function that dnsmasq (src/pxe-inventory.c)
 * and `pxeinv lookup` call.
 */
#ifndef PXEINV_STEER_H
#define PXEINV_STEER_H

#include "pxeinv_cache.h"
#include "pxeinv_request.h"

/** The steering decision for one request */
struct pxeinv_answer {
	enum pxeinv_stage stage;
	enum pxeinv_install install;
	int arch;                       /**< client architecture (option
	                                   93/61, else the vendor class);
	                                   -1 unknown */
	char node[PXEINV_NODE_MAX];     /**< hostname, "" when unknown */
	const char *matched;            /**< key that matched, static string:
	                                   "mac", "uuid", "uuid-swapped",
	                                   "client-id", "duid", "serial+board",
	                                   "board-serial", "serial", or "" */
	char file[PXEINV_FILE_MAX];     /**< boot file (TFTP path or URL) */
	int http;                       /**< file is a URL; echo "HTTPClient" */
	int installed;                  /**< install "once" and the marker
	                                   STATE_DIR/once/NODE exists: file
	                                   is the exit script */
	int upgrade;                    /**< an iPXE without HTTPS gets an
	                                   iPXE binary (stage "firmware")
	                                   instead of a script it could not
	                                   follow */
	char serial[PXEINV_SERIAL_MAX]; /**< reported by our iPXE build, or "" */
	char board_serial[PXEINV_SERIAL_MAX];
};

/**
 * Decide what a DHCP request is handed.
 *
 * @v cache     Cache
 * @v req       Request
 * @v ans       Decision, filled on PXEINV_OK
 * @ret rc      PXEINV_OK, PXEINV_UNTOUCHED, or PXEINV_ERR_RECORD
 */
int pxeinv_steer(struct pxeinv_cache *cache, const struct pxeinv_request *req,
		 struct pxeinv_answer *ans);

/**
 * Write the boot-file URL (DHCPv6 option 59) of a decided file: the file
 * itself when it is a URL already (compile --http-url), else a TFTP URL
 * on the server's address.
 *
 * @v buf       Buffer
 * @v size      Its size
 * @v server    The server's IPv6 address, as text (no brackets)
 * @v file      Decided file
 * @ret len     Length written, or -ENOSPC when it does not fit
 */
int pxeinv_answer_url6(char *buf, size_t size, const char *server,
		       const char *file);

#endif /* PXEINV_STEER_H */
