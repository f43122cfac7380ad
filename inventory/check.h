/*
 * Checking an inventory: the per-node rules that turn merged YAML into
 * struct node, then the identities that two nodes claim.
 */
#ifndef PXEINV_CHECK_H
#define PXEINV_CHECK_H

#include "node.h"

/**
 * Check every node of an inventory, and the tree as a whole (duplicates).
 *
 * @v inv       Loaded inventory; diagnostics are added to inv->diags
 * @v nodes     Array of inv->n checked nodes, allocated in inv->arena
 * @ret errors  Number of errors in inv->diags afterwards
 */
size_t node_check_all(struct inventory *inv, struct node **nodes);

/** What is wrong when a URL's bracketed host is not an IPv6 address */
#define CHECK_URL_IPV6_HINT "a host in brackets must be an IPv6 address, " \
	"such as http://[2001:db8::1]:8080/PATH"

/**
 * Find the host of an http:// or https:// URL: a name or IPv4 address
 * starting with a letter or digit, or an IPv6 address in brackets (RFC
 * 3986), which must parse.
 *
 * @v url       URL
 * @v host      Offset of the host in url
 * @v len       Length of the host (with its brackets); 0 on failure
 * @ret rc      0, -EPROTONOSUPPORT when the scheme is neither,
 *              -EDESTADDRREQ when there is no host, or -EINVAL when the
 *              bracketed host is not an IPv6 address
 */
int check_url_host(const char *url, size_t *host, size_t *len);

/**
 * Check an image base URL given outside the inventory (compile
 * --image-base-url) by imageBaseURL's rules: http:// or https://, a host
 * (check_url_host()), and only the characters a URL may have in a script
 * (brackets only around an IPv6 host).
 *
 * @v url       URL
 * @ret ok      1 when imageBaseURL would accept it, else 0
 */
int check_image_base_is_valid(const char *url);

#endif /* PXEINV_CHECK_H */
