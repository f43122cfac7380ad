/*
 * pxeinv lookup cache: format, reader and the steering decision.
 *
 * This file and pxeinv_cache.c are the only code shared between the
 * `pxeinv` CLI (which writes the cache and answers `pxeinv lookup`) and the
 * dnsmasq patch (which reads it for every DHCP request).  They depend on
 * libc, tinycdb (-lcdb) and zlib (-lz) only, never print, never exit, and
 * never allocate after pxeinv_cache_open() returns.
 *
 * Format (version 1): a tinycdb constant database.  Every key is ASCII:
 *
 *   "\0meta"          "pxeinv-cache 1 <records> <crc32 hex>"
 *                     records counts every other record; crc32 (zlib) runs
 *                     over each other record in file order, fed as
 *                     klen (4 bytes LE) key vlen (4 bytes LE) value.
 *   "m:" MAC          hostname   MAC as "aa:bb:cc:dd:ee:ff", lower case
 *   "u:" UUID         hostname   "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower
 *                                case, in the text order the operator wrote
 *                                (as `dmidecode` and QEMU `-uuid` print it)
 *   "s:" SERIAL       hostname   only when no other node shares the serial
 *   "b:" BOARDSERIAL  hostname   only when no other node shares it
 *   "p:" SERIAL "\t" BOARDSERIAL  hostname
 *   "h:" HOSTNAME     node record: "<install>\t<arch>\t<script>"
 *                     install is "yes", "no" or "once"; arch "amd64" or
 *                     "arm64"; script is relative to the TFTP root.
 *   "t:" HOSTNAME     "https" when the node's images are fetched over
 *                     HTTPS (absent: HTTP); added after version 1 was
 *                     defined, and ignored by older readers
 *   "c:" NAME         a setting: bios, efi-x64, efi-arm64 (TFTP paths of
 *                     the iPXE binaries), http-x64, http-arm64 (URLs for
 *                     UEFI HTTP boot; absent when not configured),
 *                     fallback, exit (TFTP paths of the two shared scripts).
 *
 * Steering: firmware PXE gets the iPXE binary of its architecture (option
 * 93, else the vendor class); iPXE (option 175, or user class "iPXE" or our
 * identity report) gets the script of the node it is identified as (by MAC,
 * then UUID in either byte order, then client-id, then serial and board
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
 * A cache whose meta record is missing, of another version, or whose
 * record count or checksum does not match is refused as a whole.
 */
#ifndef PXEINV_CACHE_H
#define PXEINV_CACHE_H

#include <stddef.h>

#define PXEINV_CACHE_VERSION 1
#define PXEINV_CACHE_META_KEY "\0meta"
#define PXEINV_CACHE_META_KEYLEN 5
#define PXEINV_CACHE_META_PREFIX "pxeinv-cache"

/** Longest hostname (RFC 1123 label) plus NUL */
#define PXEINV_NODE_MAX 64
/** Longest file name or URL handed out, plus NUL */
#define PXEINV_FILE_MAX 256
/** Longest serial or board serial reported by iPXE, decoded, plus NUL */
#define PXEINV_SERIAL_MAX 128
/** Boot-once markers, under the state directory */
#define PXEINV_ONCE_DIR "once"

/** Return codes (negative errno-like values on failure) */
enum pxeinv_rc {
	PXEINV_OK = 0,
	PXEINV_UNTOUCHED = 1,   /**< not a PXE or iPXE client: leave alone */
	PXEINV_ERR_IO = -1,     /**< cannot open, stat or map the file */
	PXEINV_ERR_FORMAT = -2, /**< not a cdb, truncated, or bad meta */
	PXEINV_ERR_VERSION = -3,/**< written by another format version */
	PXEINV_ERR_CHECKSUM = -4,/**< records do not match the checksum */
	PXEINV_ERR_RECORD = -5, /**< a record the steering needs is malformed */
};

/** What kind of answer a request gets */
enum pxeinv_stage {
	PXEINV_STAGE_NONE = 0,   /**< untouched */
	PXEINV_STAGE_FIRMWARE,   /**< firmware PXE: gets an iPXE binary (TFTP) */
	PXEINV_STAGE_HTTPBOOT,   /**< UEFI HTTP boot: gets an iPXE binary URL */
	PXEINV_STAGE_IPXE,       /**< iPXE: gets a script */
};

/** What the matched node's inventory says about installing */
enum pxeinv_install {
	PXEINV_INSTALL_UNKNOWN = 0, /**< no node matched */
	PXEINV_INSTALL_YES,
	PXEINV_INSTALL_NO,
	PXEINV_INSTALL_ONCE,
};

/** The settings of a cache (its "c:" records) */
enum pxeinv_setting {
	PXEINV_SETTING_BIOS,        /**< TFTP path of the BIOS iPXE binary */
	PXEINV_SETTING_EFI_X64,     /**< ... of the UEFI x86-64 binary */
	PXEINV_SETTING_EFI_ARM64,   /**< ... of the UEFI arm64 binary */
	PXEINV_SETTING_HTTP_X64,    /**< URL of the x86-64 binary, HTTP boot */
	PXEINV_SETTING_HTTP_ARM64,  /**< URL of the arm64 binary, HTTP boot */
	PXEINV_SETTING_FALLBACK,    /**< TFTP path of the fallback dispatcher */
	PXEINV_SETTING_EXIT,        /**< TFTP path of the exit script */
};

/** An opened, verified cache.  Opaque. */
struct pxeinv_cache;

/** The parts of one DHCP request the steering looks at.
 * Every pointer may be NULL (with length 0) when the option is absent.
 */
struct pxeinv_request {
	const unsigned char *mac;       /**< chaddr */
	size_t mac_len;                 /**< hlen; only 6 is looked up */
	int arch;                       /**< option 93, first entry; -1 absent */
	const char *vendor_class;       /**< option 60, not NUL-terminated */
	size_t vendor_class_len;
	const unsigned char *uuid;      /**< option 97 payload (type byte + 16) */
	size_t uuid_len;
	const unsigned char *client_id; /**< option 61 payload */
	size_t client_id_len;
	const unsigned char *user_class;/**< option 77 payload, raw */
	size_t user_class_len;
	int is_ipxe;                    /**< option 175 present */
	const unsigned char *ipxe_encap;/**< option 175 payload: iPXE's
	                                   feature flags, or NULL */
	size_t ipxe_encap_len;
	const char *state_dir;          /**< pxeinv state directory, for
	                                   boot-once markers, or NULL */
};

/** The steering decision for one request */
struct pxeinv_answer {
	enum pxeinv_stage stage;
	enum pxeinv_install install;
	char node[PXEINV_NODE_MAX];     /**< hostname, "" when unknown */
	const char *matched;            /**< key that matched, static string:
	                                   "mac", "uuid", "uuid-swapped",
	                                   "client-id", "serial+board",
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
 * Open a cache file and verify it.
 *
 * @v path      Cache file
 * @v cache     Opened cache, on success
 * @v err       Buffer for a one-line reason that names the file, on
 *              failure (may be NULL)
 * @v errlen    Size of err
 * @ret rc      PXEINV_OK or a negative enum pxeinv_rc
 */
int pxeinv_cache_open(const char *path, struct pxeinv_cache **cache,
		      char *err, size_t errlen);

/**
 * Close a cache opened by pxeinv_cache_open().
 *
 * @v cache     Cache, or NULL
 */
void pxeinv_cache_close(struct pxeinv_cache *cache);

/**
 * Number of nodes in a cache.
 *
 * @v cache     Cache
 * @ret count   Node records
 */
unsigned int pxeinv_cache_nodes(const struct pxeinv_cache *cache);

/**
 * Call a function for every node of a cache (not on the DHCP path).
 *
 * @v cache     Cache
 * @v fn        Function: node, install mode; non-zero stops the walk
 * @v ctx       Its context
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
int pxeinv_cache_each_node(struct pxeinv_cache *cache,
			   int (*fn)(const char *node,
				     enum pxeinv_install install, void *ctx),
			   void *ctx);

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
 * Name of a stage, as used in tags ("firmware", "httpboot", "ipxe").
 *
 * @v stage     Stage
 * @ret name    Static string
 */
const char *pxeinv_stage_name(enum pxeinv_stage stage);

/**
 * Name of an install mode ("yes", "no", "once", "unknown").
 *
 * @v install   Install mode
 * @ret name    Static string
 */
const char *pxeinv_install_name(enum pxeinv_install install);

#endif /* PXEINV_CACHE_H */
