/*
 * `pxeinv compile --http-url URL`: the names iPXE clients are handed
 * (see compile_http.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compile_http.h"
#include "pxeinv.h"

int compile_http_name(const struct compile_opts *opts, char *out,
		      size_t size, const char *rel)
{
	int n;

	if (opts->http_url)
		n = snprintf(out, size, "%s/%s", opts->http_url, rel);
	else
		n = snprintf(out, size, "%s", rel);
	return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

int compile_http_check(const char *url, const struct node *nodes,
		       size_t count, char *err, size_t errlen)
{
	/* the longest of the names every compile may hand out */
	const char *longest = &COMPILE_HTTP_ARM64[1], *host = NULL;
	size_t len = strlen(longest), i, n;

	if (strlen(PXEINV_TFTP_FALLBACK) > len) {
		longest = PXEINV_TFTP_FALLBACK;
		len = strlen(longest);
	}
	for (i = 0; i < count; i++) {
		n = strlen(PXEINV_TFTP_NODES "/" PXEINV_SCRIPT_EXT) +
		    strlen(nodes[i].hostname);
		if (n > len) {
			host = nodes[i].hostname;
			len = n;
		}
	}
	len += strlen(url) + 1;
	if (len <= COMPILE_BOOT_FILE_MAX)
		return 0;
	if (host)
		snprintf(err, errlen, "--http-url is too long for node %s: "
			 "%s/" PXEINV_TFTP_NODES "/%s" PXEINV_SCRIPT_EXT
			 " is %zu characters, and a DHCP reply's file field "
			 "holds %d; shorten --http-url by %zu", host, url,
			 host, len, COMPILE_BOOT_FILE_MAX,
			 len - COMPILE_BOOT_FILE_MAX);
	else
		snprintf(err, errlen, "--http-url is too long: %s/%s is %zu "
			 "characters, and a DHCP reply's file field holds %d; "
			 "shorten --http-url by %zu", url, longest, len,
			 COMPILE_BOOT_FILE_MAX, len - COMPILE_BOOT_FILE_MAX);
	return -ENAMETOOLONG;
}

size_t compile_http_once_nodes(const struct node *nodes, size_t count,
			       const char **first)
{
	size_t i, once = 0;

	*first = NULL;
	for (i = 0; i < count; i++) {
		if (nodes[i].install != PXEINV_INSTALL_ONCE)
			continue;
		if (!once++)
			*first = nodes[i].hostname;
	}
	return once;
}
