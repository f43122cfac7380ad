/*
 * pxeinv lookup cache: the layout of its records (see pxeinv_cache.h for
 * the format).  Private to cache/: the writer (pxeinv_cache_write.c) builds
 * records with it and the reader (pxeinv_cache.c) parses them with it, so
 * that no other code spells a key prefix or a record layout.
 */
#ifndef PXEINV_RECORD_H
#define PXEINV_RECORD_H

#include "pxeinv_cache.h"

/** Key prefixes, each PXEINV_KEY_PREFIX_LEN bytes */
#define PXEINV_KEY_MAC "m:"
#define PXEINV_KEY_UUID "u:"
#define PXEINV_KEY_SERIAL "s:"
#define PXEINV_KEY_BOARD_SERIAL "b:"
#define PXEINV_KEY_SERIAL_BOARD "p:"
#define PXEINV_KEY_NODE "h:"
#define PXEINV_KEY_TRANSPORT "t:"
#define PXEINV_KEY_SETTING "c:"
#define PXEINV_KEY_PREFIX_LEN 2

/** Separator of the node record's fields and of the "p:" key's two parts */
#define PXEINV_FIELD_SEPARATOR '\t'
/** Value of a "t:" record for a node whose images are on HTTPS */
#define PXEINV_TRANSPORT_HTTPS "https"

/** Length of a MAC as a key: "aa:bb:cc:dd:ee:ff" */
#define PXEINV_MAC_TEXT_LEN 17
/** Length of a UUID as a key: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
#define PXEINV_UUID_TEXT_LEN 36
/** Longest node record ("<install>\t<arch>\t<script>") plus NUL */
#define PXEINV_NODE_RECORD_MAX (16 + PXEINV_FILE_MAX)
/** Longest key the reader looks up: prefix, serial, tab, board serial */
#define PXEINV_KEY_MAX (PXEINV_KEY_PREFIX_LEN + 2 * PXEINV_SERIAL_MAX)

/**
 * Name of a setting, as its "c:" key spells it.
 *
 * @v setting   Setting
 * @ret name    Static string, or NULL for a value outside the enum
 */
static inline const char *pxeinv_record_setting_name(enum pxeinv_setting
						     setting)
{
	switch (setting) {
	case PXEINV_SETTING_BIOS:
		return "bios";
	case PXEINV_SETTING_EFI_X64:
		return "efi-x64";
	case PXEINV_SETTING_EFI_ARM64:
		return "efi-arm64";
	case PXEINV_SETTING_HTTP_X64:
		return "http-x64";
	case PXEINV_SETTING_HTTP_ARM64:
		return "http-arm64";
	case PXEINV_SETTING_FALLBACK:
		return "fallback";
	case PXEINV_SETTING_EXIT:
		return "exit";
	default:
		return NULL;
	}
}

#endif /* PXEINV_RECORD_H */
