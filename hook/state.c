/*
 * pxeinv state directory: layout and boot-once markers (see state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvfile.h"
#include "state.h"

const char *state_dir_default(void)
{
	const char *dir = getenv(STATE_DIR_ENV);

	return (dir && dir[0] == '/') ? dir : STATE_DIR_DEFAULT;
}

int state_subdir(int dirfd, const char *sub, int create)
{
	int fd;

	fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, sub, 0755) != 0 && errno != EEXIST)
			return -errno;
		fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

void state_mac_name(const char *mac, char *out)
{
	size_t i;

	for (i = 0; mac[i] && i < 63; i++)
		out[i] = mac[i] == ':' ? '-' : mac[i];
	out[i] = '\0';
}

int state_once_mark(int dirfd, const char *node, time_t now, const char *ip)
{
	struct kvfile f = { 0 };
	int fd, rc;

	fd = state_subdir(dirfd, STATE_ONCE, 1);
	if (fd < 0)
		return fd;
	kv_set(&f, "node", node);
	kv_set_num(&f, "installed", now);
	kv_set(&f, "ip", ip);
	rc = kv_write(fd, node, &f);
	close(fd);
	return rc;
}

int state_once_clear(int dirfd, const char *node)
{
	int fd, rc = 0;

	fd = state_subdir(dirfd, STATE_ONCE, 0);
	if (fd < 0)
		return fd;
	if (unlinkat(fd, node, 0) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int state_once_marked(int dirfd, const char *node, long long *when)
{
	struct kvfile f;
	int fd, marked;

	if (when)
		*when = 0;
	fd = state_subdir(dirfd, STATE_ONCE, 0);
	if (fd < 0)
		return 0;
	/* the marker's existence is what dnsmasq looks at */
	marked = faccessat(fd, node, F_OK, 0) == 0;
	if (marked && when && kv_read(fd, node, &f) == 0)
		*when = kv_get_num(&f, "installed");
	close(fd);
	return marked;
}
