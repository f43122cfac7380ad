/*
 * pxeinv state: nodes/ YAML stubs for unknown machines (see stub.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stub.h"

/** Characters `pxeinv check` accepts in a serial (inventory/check.c) */
#define STUB_SERIAL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
	"abcdefghijklmnopqrstuvwxyz0123456789.:+-"
/** Why a reported serial is commented out */
#define STUB_UNUSABLE "  (reported, but pxeinv cannot match it: " \
	"only letters, digits and .:+-)"

/**
 * Tell whether a reported serial can go into the inventory as it is.
 *
 * @v s         Serial
 * @ret ok      1 when `pxeinv check` accepts it
 */
static int stub_usable(const char *s)
{
	return strspn(s, STUB_SERIAL_CHARS) == strlen(s);
}

int stub_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	if (size < 3)
		return -ENOSPC;
	buf[n++] = '"';
	for (; *s; s++) {
		if (n + 4 >= size)
			return -ENOSPC;
		if (*s == '"' || *s == '\\')
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

/**
 * Format a time stamp.
 *
 * @v t         Seconds since the epoch
 * @v out       Buffer, 32 bytes
 */
static void stub_time(long long t, char *out)
{
	time_t tt = t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		strcpy(out, "?");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int stub_render(const struct kvfile *rec, char *buf, size_t size)
{
	const char *mac = kv_get(rec, "mac"), *v;
	const char *arch = kv_get(rec, "arch");
	const char *ip = kv_get(rec, "ip");
	const char *vc = kv_get(rec, "vendor_class");
	char first[32], last[32], q[2 * KV_VAL_MAX + 4];
	size_t len;
	int n;

	if (!mac)
		return -ENOSPC;
	stub_time(kv_get_num(rec, "first"), first);
	stub_time(kv_get_num(rec, "last"), last);
	n = snprintf(buf, size,
		     "# Unknown machine %s: seen %lld times, first %s, "
		     "last %s\n# from %s, %s (%s).\n"
		     "# Save as nodes/<group>/<hostname>.yaml; set install "
		     "(true or once), ip, and\n# the schematic to install "
		     "it.\n",
		     mac, kv_get_num(rec, "count"), first, last,
		     ip ? ip : "?", arch ? arch : "unknown firmware",
		     vc && *vc ? vc : "no vendor class");
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	len = n;
#define LINE(fmt, ...) do { \
		n = snprintf(buf + len, size - len, fmt, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= size - len) \
			return -ENOSPC; \
		len += n; \
	} while (0)
	if (stub_quote(mac, q, sizeof(q)) < 0)
		return -ENOSPC;
	LINE("mac: %s\n", q);
	if ((v = kv_get(rec, "serial")) && *v) {
		if (stub_quote(v, q, sizeof(q)) < 0)
			return -ENOSPC;
		LINE("%sserial: %s%s\n", stub_usable(v) ? "" : "# ", q,
		     stub_usable(v) ? "" : STUB_UNUSABLE);
	}
	if ((v = kv_get(rec, "board_serial")) && *v) {
		if (stub_quote(v, q, sizeof(q)) < 0)
			return -ENOSPC;
		LINE("%sboardSerial: %s%s\n", stub_usable(v) ? "" : "# ", q,
		     stub_usable(v) ? "" : STUB_UNUSABLE);
	}
	if (arch && (strcmp(arch, "efi-arm64") == 0 ||
		     strcmp(arch, "http-arm64") == 0))
		LINE("%s\n", "arch: arm64");
	else
		LINE("%s\n", "arch: amd64");
	LINE("%s\n", "install: false");
#undef LINE
	return len;
}
