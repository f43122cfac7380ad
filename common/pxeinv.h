/*
 * pxeinv: the names, limits and tables that every part shares.
 *
 * The CLI (compile, lookup, status, rearm), the state library, the hook,
 * the cache and the dnsmasq patch (build-dnsmasq.sh copies this file into
 * dnsmasq's src/) all include this one header, so that they cannot
 * disagree about a node name, a tag, a directory or an architecture.  It
 * needs libc only and defines nothing that takes memory: constants, enums
 * and small static inline functions.
 */
#ifndef PXEINV_H
#define PXEINV_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

/** Longest node name (an RFC 1123 label, 63 characters) plus NUL */
#define PXEINV_NODE_MAX 64
/** The node tag of a steered client that no node matched; no node may be
 * called so */
#define PXEINV_NODE_UNKNOWN "unknown"
/** Longest serial or board serial kept, decoded, plus NUL */
#define PXEINV_SERIAL_MAX 128
/** A DHCPv6 DUID: 2-byte type, at most 128 bytes more (RFC 8415 11.1) */
#define PXEINV_DUID_MAX 130
/** Longest file name or URL handed out, plus NUL */
#define PXEINV_FILE_MAX 256

/*
 * dnsmasq tags: set by the patch for every steered request, shown by
 * --log-dhcp, and read back by the hook from DNSMASQ_TAGS.
 */
#define PXEINV_TAG "pxeinv"
#define PXEINV_TAG_NODE "pxeinv-node:"
#define PXEINV_TAG_STAGE "pxeinv-stage:"
#define PXEINV_TAG_INSTALL "pxeinv-install:"
#define PXEINV_TAG_SERIAL "pxeinv-serial:"
#define PXEINV_TAG_BOARD_SERIAL "pxeinv-board-serial:"
/** The client architecture (RFC 4578 number, decimal) of a steered request:
 * the hook's source for DHCPv6 events, whose architecture is option 61,
 * which dnsmasq does not hand the dhcp-script */
#define PXEINV_TAG_ARCH "pxeinv-arch:"

/*
 * Scripts, relative to the TFTP root of a compiled tree.
 */
#define PXEINV_TFTP_DIR "pxeinv"
#define PXEINV_TFTP_NODES PXEINV_TFTP_DIR "/nodes"
#define PXEINV_TFTP_FALLBACK PXEINV_TFTP_DIR "/fallback.ipxe"
#define PXEINV_TFTP_EXIT PXEINV_TFTP_DIR "/exit.ipxe"
/** The identity index that the fallback dispatcher reads: one small
 * script per identity, PXEINV_TFTP_INDEX/by-serial/SERIAL.ipxe,
 * .../by-board-serial/BOARD.ipxe, .../by-serial-board/SERIAL_BOARD.ipxe,
 * each chaining its node's script */
#define PXEINV_TFTP_INDEX PXEINV_TFTP_DIR "/index"
#define PXEINV_INDEX_SERIAL "by-serial"
#define PXEINV_INDEX_BOARD_SERIAL "by-board-serial"
#define PXEINV_INDEX_SERIAL_BOARD "by-serial-board"
/** Separator of the pair's two parts: no serial holds it */
#define PXEINV_INDEX_PAIR_SEP "_"
/** Link to STATE_DIR/installed, inside PXEINV_TFTP_DIR */
#define PXEINV_TFTP_INSTALLED "installed"
/** Extension of every script */
#define PXEINV_SCRIPT_EXT ".ipxe"

/*
 * The state directory: written by the hook, read by status, rearm and
 * (boot-once markers) the steering.
 */
#define PXEINV_STATE_DIR_DEFAULT "/var/lib/pxeinv"
#define PXEINV_STATE_DIR_ENV "PXEINV_STATE_DIR"
#define PXEINV_STATE_GLOBAL "global"
#define PXEINV_STATE_NODES "nodes"
#define PXEINV_STATE_UNKNOWN "unknown"
#define PXEINV_STATE_ONCE "once"
#define PXEINV_STATE_INSTALLED "installed"
#define PXEINV_STATE_LEASES "leases"
#define PXEINV_STATE_METRICS "metrics"
/** The hook's lock: one recorder at a time changes the files above */
#define PXEINV_STATE_LOCK "lock"

/** What kind of answer a request gets */
enum pxeinv_stage {
	PXEINV_STAGE_NONE = 0,   /**< untouched */
	PXEINV_STAGE_FIRMWARE,   /**< firmware PXE: gets an iPXE binary (TFTP) */
	PXEINV_STAGE_HTTPBOOT,   /**< UEFI HTTP boot: gets an iPXE binary URL */
	PXEINV_STAGE_IPXE,       /**< iPXE: gets a script */
};

/** What a node's inventory says about installing */
enum pxeinv_install {
	PXEINV_INSTALL_UNKNOWN = 0, /**< no node matched */
	PXEINV_INSTALL_YES,
	PXEINV_INSTALL_NO,
	PXEINV_INSTALL_ONCE,
};

/**
 * Name a stage, as tags, the journal and status write it.
 *
 * @v stage     Stage
 * @ret name    "firmware", "httpboot", "ipxe" or "none"
 */
static inline const char *pxeinv_stage_name(enum pxeinv_stage stage)
{
	static const char *const names[] = {
		[PXEINV_STAGE_FIRMWARE] = "firmware",
		[PXEINV_STAGE_HTTPBOOT] = "httpboot",
		[PXEINV_STAGE_IPXE] = "ipxe",
	};

	return (unsigned int)stage < sizeof(names) / sizeof(names[0]) &&
	       names[stage] ? names[stage] : "none";
}

/**
 * Name an install mode, as the cache, the scripts' "# install:" line,
 * tags and status write it.
 *
 * @v install   Install mode
 * @ret name    "yes", "no", "once" or "unknown"
 */
static inline const char *pxeinv_install_name(enum pxeinv_install install)
{
	static const char *const names[] = {
		[PXEINV_INSTALL_YES] = "yes",
		[PXEINV_INSTALL_NO] = "no",
		[PXEINV_INSTALL_ONCE] = "once",
	};

	return (unsigned int)install < sizeof(names) / sizeof(names[0]) &&
	       names[install] ? names[install] : "unknown";
}

/**
 * Read an install mode from its name (the inverse of
 * pxeinv_install_name(), for "yes", "no" and "once").
 *
 * @v s         Text
 * @v len       Its length
 * @ret install Mode, or PXEINV_INSTALL_UNKNOWN for anything else
 */
static inline enum pxeinv_install pxeinv_install_parse(const char *s,
						       size_t len)
{
	enum pxeinv_install mode;

	for (mode = PXEINV_INSTALL_YES; mode <= PXEINV_INSTALL_ONCE; mode++)
		if (strlen(pxeinv_install_name(mode)) == len &&
		    memcmp(s, pxeinv_install_name(mode), len) == 0)
			return mode;
	return PXEINV_INSTALL_UNKNOWN;
}

/** The settings a compiled cache holds (its "c:" records) */
enum pxeinv_setting {
	PXEINV_SETTING_NONE = 0,    /**< no setting */
	PXEINV_SETTING_BIOS,        /**< TFTP path of the BIOS iPXE binary */
	PXEINV_SETTING_EFI_X64,     /**< ... of the UEFI x86-64 binary */
	PXEINV_SETTING_EFI_ARM64,   /**< ... of the UEFI arm64 binary */
	PXEINV_SETTING_HTTP_X64,    /**< URL of the x86-64 binary, HTTP boot */
	PXEINV_SETTING_HTTP_ARM64,  /**< URL of the arm64 binary, HTTP boot */
	PXEINV_SETTING_FALLBACK,    /**< TFTP path of the fallback dispatcher */
	PXEINV_SETTING_EXIT,        /**< TFTP path of the exit script */
};

/** A client architecture (RFC 4578 option 93, IANA registry) */
struct pxeinv_arch {
	int number;              /**< option 93 value */
	const char *name;        /**< as the journal and status write it */
	enum pxeinv_setting binary; /**< the iPXE binary it is handed, or
	                              PXEINV_SETTING_NONE when pxeinv does
	                              not serve it */
	int http;                /**< UEFI HTTP boot: the binary is a URL */
};

/**
 * Find a client architecture.
 *
 * @v number    Option 93 value
 * @ret arch    Entry, or NULL for an architecture pxeinv does not know
 */
static inline const struct pxeinv_arch *pxeinv_arch_find(int number)
{
	static const struct pxeinv_arch table[] = {
		{ 0, "bios", PXEINV_SETTING_BIOS, 0 },
		{ 6, "efi-ia32", PXEINV_SETTING_NONE, 0 },
		{ 7, "efi-x64", PXEINV_SETTING_EFI_X64, 0 },
		{ 9, "efi-x64", PXEINV_SETTING_EFI_X64, 0 },
		{ 11, "efi-arm64", PXEINV_SETTING_EFI_ARM64, 0 },
		{ 16, "http-x64", PXEINV_SETTING_HTTP_X64, 1 },
		{ 19, "http-arm64", PXEINV_SETTING_HTTP_ARM64, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].number == number)
			return &table[i];
	return NULL;
}

/**
 * Name a client architecture, as the journal and status write it.
 *
 * @v number    Option 93 value
 * @ret name    "bios", "efi-x64", … or NULL for one pxeinv does not know
 */
static inline const char *pxeinv_arch_name(int number)
{
	const struct pxeinv_arch *arch = pxeinv_arch_find(number);

	return arch ? arch->name : NULL;
}

/**
 * Read one hex digit.
 *
 * @v c         Character
 * @ret value   0-15, or -1 when it is not a hex digit
 */
static inline int pxeinv_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * Parse a MAC address as operators write it, in the inventory and on the
 * command line: six hex bytes separated by ':' or '-'.
 *
 * @v s         Text
 * @v mac       6 bytes, filled on success
 * @ret rc      0, or -EINVAL when it is not a MAC
 */
static inline int pxeinv_mac_parse(const char *s, unsigned char *mac)
{
	int i, hi, lo;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = pxeinv_hex_value(s[3 * i]);
		lo = pxeinv_hex_value(s[3 * i + 1]);
		if (hi < 0 || lo < 0 ||
		    (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-'))
			return -EINVAL;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/** The node-name rule, in words, for every message that refuses a name */
#define PXEINV_NODE_NAME_RULE "1-63 lower-case letters, digits and '-', " \
	"not starting or ending with '-' (an RFC 1123 label), and not '" \
	PXEINV_NODE_UNKNOWN "'"

/**
 * Tell whether a name is a valid node name.
 *
 * A node is named after its file (nodes/.../NAME.yaml), and the name
 * becomes a dnsmasq tag, a TFTP path, state file names and the host name
 * Talos is given.  The rule: a lower-case RFC 1123 label, 1-63 of
 * [a-z0-9-], not starting or ending with '-', other than
 * PXEINV_NODE_UNKNOWN, which names clients that no node matched.  Upper
 * case is refused rather than folded: DNS would not tell Node-07 from
 * node-07, but the file system, tags and paths would.
 *
 * @v s         Name
 * @ret ok      1 when valid
 */
static inline int pxeinv_node_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < PXEINV_NODE_MAX && s[0] != '-' &&
	       s[n - 1] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n &&
	       strcmp(s, PXEINV_NODE_UNKNOWN) != 0;
}

#endif /* PXEINV_H */
