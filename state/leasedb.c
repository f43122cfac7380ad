/*
 * pxeinv state: the lease database (see leasedb.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvfile.h"
#include "leasedb.h"
#include "state.h"

/** Longest lease line: an IPv6 one with the longest hostname and DUID */
#define LEASE_LINE_MAX 1024

/**
 * Tell whether a token is a lease-file hostname or client-id ("*" or
 * printable, no spaces).
 *
 * @v s         Token
 * @v len       Length
 * @ret ok      1 when valid
 */
static int leasedb_token(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/**
 * Tell whether a token is a DHCPv6 lease's IAID ("T" for a temporary
 * address, then decimal digits).
 *
 * @v s         Token
 * @v len       Length
 * @ret ok      1 when valid
 */
static int leasedb_iaid(const char *s, size_t len)
{
	if (len && s[0] == 'T') {
		s++;
		len--;
	}
	return len > 0 && len <= 10 && strspn(s, "0123456789") == len;
}

int leasedb_line_is_valid(const char *line, const char *ip)
{
	const char *f[5], *p = line;
	size_t l[5];
	char buf[64];
	unsigned char addr[16];
	int i;

	for (i = 0; i < 5; i++) {
		f[i] = p;
		while (*p && *p != ' ')
			p++;
		l[i] = p - f[i];
		if (!leasedb_token(f[i], l[i]))
			return 0;
		if (i < 4 && *p++ != ' ')
			return 0;
	}
	if (*p)
		return 0;
	if (strspn(f[0], "0123456789") != l[0] || l[0] > 18)
		return 0;
	if (l[2] >= sizeof(buf))
		return 0;
	memcpy(buf, f[2], l[2]);
	buf[l[2]] = '\0';
	if (strcmp(buf, ip) != 0)
		return 0;
	if (inet_pton(AF_INET, buf, addr) == 1)
		return l[1] < 64 &&
		       strspn(f[1], "0123456789abcdef:-") == l[1];
	/* IPv6: EXPIRES IAID IPV6 HOSTNAME|* DUID|* */
	return inet_pton(AF_INET6, buf, addr) == 1 &&
	       leasedb_iaid(f[1], l[1]) && l[4] < EVENT_DUID_TEXT &&
	       strspn(f[4], "0123456789abcdef:*") == l[4];
}

int leasedb_update(int dirfd, const struct event *ev)
{
	char line[LEASE_LINE_MAX];
	long long expires;
	int fd, rc = 0, n;

	if (ev->action != EVENT_ADD && ev->action != EVENT_OLD &&
	    ev->action != EVENT_DEL)
		return 0;
	fd = state_subdir(dirfd, PXEINV_STATE_LEASES, 1);
	if (fd < 0)
		return fd;
	if (ev->action == EVENT_DEL) {
		if (unlinkat(fd, ev->ip, 0) != 0 && errno != ENOENT)
			rc = -errno;
		close(fd);
		return rc;
	}
	/* dnsmasq passes the absolute expiry (0: infinite), or the length
	 * when built with HAVE_BROKEN_RTC */
	expires = ev->expires;
	if (expires < 0)
		expires = ev->length > 0 ? (long long)ev->now + ev->length : 0;
	if (ev->ipv6 && !ev->iaid[0]) {
		/* dnsmasq always gives one; a lease without it cannot be
		 * written in its format */
		close(fd);
		return 0;
	}
	/* dnsmasq's lease file: "EXPIRES IAID IPV6 HOSTNAME DUID" for
	 * DHCPv6 (after its "duid" line, which we do not keep) */
	n = snprintf(line, sizeof(line), "%lld %s %s %s %s\n", expires,
		     ev->ipv6 ? ev->iaid : ev->mac, ev->ip,
		     ev->hostname[0] && !strchr(ev->hostname, ' ') ?
		     ev->hostname : "*",
		     ev->ipv6 ? ev->duid :
		     ev->client_id[0] ? ev->client_id : "*");
	if (n < 0 || n >= (int)sizeof(line))
		rc = -EINVAL;
	else
		rc = kv_write_raw(fd, ev->ip, line, n);
	close(fd);
	return rc;
}

int leasedb_client(int dirfd, const char *ip, char *client)
{
	char line[LEASE_LINE_MAX + 1];
	const char *p, *q;
	ssize_t n;
	int fd, lfd, rc;

	client[0] = '\0';
	fd = state_subdir(dirfd, PXEINV_STATE_LEASES, 0);
	if (fd < 0)
		return fd;
	lfd = openat(fd, ip, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	rc = lfd < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	n = read(lfd, line, sizeof(line) - 1);
	rc = n < 0 ? -errno : 0;
	close(lfd);
	if (rc)
		return rc;
	if (n <= 1 || line[n - 1] != '\n')
		return -EINVAL;
	line[n - 1] = '\0';
	if (!leasedb_line_is_valid(line, ip))
		return -EINVAL;
	/* IPv4: EXPIRES MAC ...: the second field, shorter than 64;
	 * IPv6: ... DUID: the fifth, shorter than EVENT_DUID_TEXT (checked) */
	p = strchr(line, ' ') + 1;
	q = strchr(p, ' ');
	if (strchr(ip, ':')) {
		p = strrchr(line, ' ') + 1;
		q = p + strlen(p);
	}
	memcpy(client, p, q - p);
	client[q - p] = '\0';
	return 0;
}

int leasedb_dump(int dirfd, FILE *out, unsigned long *count)
{
	char line[LEASE_LINE_MAX + 1];
	struct dirent *de;
	DIR *d;
	int fd;

	*count = 0;
	fd = state_subdir(dirfd, PXEINV_STATE_LEASES, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		unsigned char addr[16];
		ssize_t n;
		int lfd;

		if (inet_pton(AF_INET, de->d_name, addr) != 1 &&
		    inet_pton(AF_INET6, de->d_name, addr) != 1)
			continue;       /* ".", "..", tmp files */
		lfd = openat(fd, de->d_name, O_RDONLY | O_CLOEXEC |
			     O_NOFOLLOW);
		if (lfd < 0)
			continue;
		n = read(lfd, line, sizeof(line) - 1);
		close(lfd);
		if (n <= 1 || line[n - 1] != '\n')
			continue;
		line[n - 1] = '\0';
		if (!leasedb_line_is_valid(line, de->d_name))
			continue;
		fprintf(out, "%s\n", line);
		(*count)++;
	}
	closedir(d);
	return ferror(out) ? -EIO : 0;
}
