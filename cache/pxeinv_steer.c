/*
 * pxeinv lookup cache: the steering decision.
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_steer.h for the policy.  The request is decoded once
 * (pxeinv_request.c); records are read through pxeinv_cache.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxeinv_steer.h"

/**
 * Tell whether a serial is a placeholder firmware puts in place of one.
 *
 * @v s         Serial
 * @ret blank   1 when it identifies nothing
 */
static int steer_serial_is_blank(const char *s)
{
	return s[0] == '\0';
}

/**
 * Identify the node a request comes from: by MAC, then UUID in either
 * byte order, then client-id, then a DHCPv6 DUID's MAC, then the
 * reported serials.
 *
 * @v cache     Cache
 * @v client    Decoded request
 * @v ans       Answer: node and matched are filled
 */
static void steer_identify(struct pxeinv_cache *cache,
			   const struct pxeinv_client *client,
			   struct pxeinv_answer *ans)
{
	const char *serial = client->serial, *board = client->board_serial;

	ans->node[0] = '\0';
	ans->matched = "";

	if (client->has_mac &&
	    pxeinv_cache_find_mac(cache, client->mac, ans->node)) {
		ans->matched = "mac";
		return;
	}
	if (client->has_uuid) {
		if (pxeinv_cache_find_uuid(cache, client->uuid, ans->node)) {
			ans->matched = "uuid";
			return;
		}
		if (pxeinv_cache_find_uuid(cache, client->uuid_as_sent,
					   ans->node)) {
			ans->matched = "uuid-swapped";
			return;
		}
	}
	if ((client->has_client_mac &&
	     pxeinv_cache_find_mac(cache, client->client_mac, ans->node)) ||
	    (client->has_client_uuid &&
	     pxeinv_cache_find_uuid(cache, client->client_uuid, ans->node))) {
		ans->matched = "client-id";
		return;
	}
	if (client->has_duid_mac &&
	    pxeinv_cache_find_mac(cache, client->duid_mac, ans->node)) {
		ans->matched = "duid";
		return;
	}
	if (!client->reported)
		return;
	if (!steer_serial_is_blank(serial) && !steer_serial_is_blank(board) &&
	    pxeinv_cache_find_serial_board(cache, serial, board, ans->node)) {
		ans->matched = "serial+board";
		return;
	}
	if (!steer_serial_is_blank(board) &&
	    pxeinv_cache_find_board_serial(cache, board, ans->node)) {
		ans->matched = "board-serial";
		return;
	}
	if (!steer_serial_is_blank(serial) &&
	    pxeinv_cache_find_serial(cache, serial, ans->node)) {
		ans->matched = "serial";
		return;
	}
	ans->node[0] = '\0';
}

/**
 * Hand a boot-once node that was installed the exit script.
 *
 * @v cache     Cache
 * @v req       Request (state_dir)
 * @v ans       Answer of a matched node, updated
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
static int steer_check_once(struct pxeinv_cache *cache,
			    const struct pxeinv_request *req,
			    struct pxeinv_answer *ans)
{
	char path[4096];
	int n;

	if (ans->install != PXEINV_INSTALL_ONCE || !req->state_dir)
		return PXEINV_OK;
	n = snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE "/%s",
		     req->state_dir, ans->node);
	/* unreadable state: the node's script, whose kernel line halts an
	 * installed machine (talos.halt_if_installed) */
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    faccessat(AT_FDCWD, path, F_OK, 0) != 0)
		return PXEINV_OK;
	if (!pxeinv_cache_get_setting(cache, PXEINV_SETTING_EXIT, ans->file))
		return PXEINV_ERR_RECORD;
	ans->installed = 1;
	return PXEINV_OK;
}

/**
 * Hand an iPXE without HTTPS an iPXE binary, when its node's script would
 * fetch its images over HTTPS.
 *
 * @v cache     Cache
 * @v client    Decoded request
 * @v ans       Answer of a matched node that gets its installer script
 */
static void steer_check_https(struct pxeinv_cache *cache,
			      const struct pxeinv_client *client,
			      struct pxeinv_answer *ans)
{
	const struct pxeinv_arch *arch = pxeinv_arch_find(client->arch);
	char file[PXEINV_FILE_MAX];

	if (ans->install == PXEINV_INSTALL_NO || ans->installed ||
	    !client->lacks_https ||
	    !pxeinv_cache_node_uses_https(cache, ans->node))
		return;
	/* PXE firmware only: HTTP boot loads no iPXE of ours to replace */
	if (!arch || arch->binary == PXEINV_SETTING_NONE || arch->http)
		return;
	if (!pxeinv_cache_get_setting(cache, arch->binary, file))
		return;
	memcpy(ans->file, file, sizeof(file));
	ans->stage = PXEINV_STAGE_FIRMWARE;
	ans->upgrade = 1;
}

/**
 * Steer an iPXE client: a known node gets its own script, an unknown
 * client the fallback dispatcher.
 *
 * @v cache     Cache
 * @v req       Request (state_dir)
 * @v client    Decoded request
 * @v ans       Answer
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
static int steer_ipxe(struct pxeinv_cache *cache,
		      const struct pxeinv_request *req,
		      const struct pxeinv_client *client,
		      struct pxeinv_answer *ans)
{
	int rc;

	ans->stage = PXEINV_STAGE_IPXE;
	/* reported identity, for the tags (the dhcp-script) */
	memcpy(ans->serial, client->serial, sizeof(ans->serial));
	memcpy(ans->board_serial, client->board_serial,
	       sizeof(ans->board_serial));
	steer_identify(cache, client, ans);
	/* A known node gets its own script: it boots the installer, or exits
	 * to disk when the node is not to be installed (or is to be
	 * installed once, and was) */
	if (ans->node[0]) {
		rc = pxeinv_cache_read_node(cache, ans->node, &ans->install,
					    ans->file);
		if (rc == PXEINV_OK)
			rc = steer_check_once(cache, req, ans);
		if (rc == PXEINV_OK)
			steer_check_https(cache, client, ans);
		return rc;
	}
	ans->install = PXEINV_INSTALL_UNKNOWN;
	if (!pxeinv_cache_get_setting(cache, PXEINV_SETTING_FALLBACK,
				      ans->file))
		return PXEINV_ERR_RECORD;
	return PXEINV_OK;
}

/**
 * Steer a firmware PXE or UEFI HTTP boot client: the iPXE binary of its
 * architecture, and the install mode of the node it is, for the tags.
 *
 * @v cache     Cache
 * @v client    Decoded request
 * @v ans       Answer
 * @ret rc      PXEINV_OK, PXEINV_UNTOUCHED, or PXEINV_ERR_RECORD
 */
static int steer_firmware(struct pxeinv_cache *cache,
			  const struct pxeinv_client *client,
			  struct pxeinv_answer *ans)
{
	const struct pxeinv_arch *arch = pxeinv_arch_find(client->arch);
	char script[PXEINV_FILE_MAX];
	int http = client->http_class;

	if (!arch || arch->binary == PXEINV_SETTING_NONE)
		return PXEINV_UNTOUCHED;
	if (arch->http)
		http = 1;
	ans->stage = http ? PXEINV_STAGE_HTTPBOOT : PXEINV_STAGE_FIRMWARE;
	ans->http = http;
	/* Not configured (no binary for that arch, or no HTTP URL) */
	if (!pxeinv_cache_get_setting(cache, arch->binary, ans->file))
		return PXEINV_UNTOUCHED;
	steer_identify(cache, client, ans);
	/* Keep the binary; read the record for the install tag */
	if (ans->node[0])
		return pxeinv_cache_read_node(cache, ans->node, &ans->install,
					      script);
	return PXEINV_OK;
}

int pxeinv_steer(struct pxeinv_cache *cache, const struct pxeinv_request *req,
		 struct pxeinv_answer *ans)
{
	struct pxeinv_client client;

	memset(ans, 0, sizeof(*ans));
	ans->matched = "";
	pxeinv_request_decode(req, &client);
	ans->arch = client.arch;
	if (client.is_ipxe)
		return steer_ipxe(cache, req, &client, ans);
	return steer_firmware(cache, &client, ans);
}

int pxeinv_answer_url6(char *buf, size_t size, const char *server,
		       const char *file)
{
	int n;

	if (strstr(file, "://"))
		n = snprintf(buf, size, "%s", file);
	else
		n = snprintf(buf, size, "tftp://[%s]/%s", server, file);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
