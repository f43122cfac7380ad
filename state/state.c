/*
 * pxeinv state directory: layout and boot-once markers (see state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvfile.h"
#include "state.h"

const char *state_dir_default(void)
{
	const char *dir = getenv(PXEINV_STATE_DIR_ENV);

	return (dir && dir[0] == '/') ? dir : PXEINV_STATE_DIR_DEFAULT;
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

int state_lock(int dirfd)
{
	int fd, rc;

	fd = openat(dirfd, PXEINV_STATE_LOCK, O_RDONLY | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int state_put(int dirfd, const char *sub, const char *name, const char *buf,
	      size_t len)
{
	int fd, rc;

	fd = state_subdir(dirfd, sub, 1);
	if (fd < 0)
		return fd;
	rc = kv_write_raw(fd, name, buf, len);
	close(fd);
	return rc;
}

void state_mac_name(const char *mac, char *out)
{
	size_t i;

	for (i = 0; i < 63 && mac[i]; i++)
		out[i] = mac[i] == ':' ? '-' : mac[i];
	out[i] = '\0';
}

/**
 * Write a boot-once node's exit script, STATE_DIR/installed/NODE.ipxe.
 *
 * @v dirfd     State directory
 * @v node      Node (valid: a hostname, nothing to escape)
 * @ret rc      0 or -errno
 */
static int state_installed_write(int dirfd, const char *node)
{
	char name[300], script[600];
	int len;

	if (snprintf(name, sizeof(name), "%s" PXEINV_SCRIPT_EXT, node) >=
	    (int)sizeof(name))
		return -ENAMETOOLONG;
	len = snprintf(script, sizeof(script), "#!ipxe\n# written by "
		       "pxeinv-hook when %s fetched its installer\necho "
		       "pxeinv: %s was installed (install: once; 'pxeinv "
		       "rearm %s' installs it again); booting from local "
		       "disk\nexit\n", node, node, node);
	if (len < 0 || len >= (int)sizeof(script))
		return -ENAMETOOLONG;
	return state_put(dirfd, PXEINV_STATE_INSTALLED, name, script, len);
}

int state_once_mark(int dirfd, const char *node, time_t now, const char *ip)
{
	struct kvfile f = { 0 };
	int fd, rc;

	rc = state_installed_write(dirfd, node);
	if (rc)
		return rc;
	fd = state_subdir(dirfd, PXEINV_STATE_ONCE, 1);
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
	char name[300];
	int fd, rc = 0;

	/* the marker first: dnsmasq looks at it, and it says "installed" */
	fd = state_subdir(dirfd, PXEINV_STATE_ONCE, 0);
	if (fd < 0)
		return fd;
	if (unlinkat(fd, node, 0) != 0)
		rc = -errno;
	close(fd);
	if (snprintf(name, sizeof(name), "%s" PXEINV_SCRIPT_EXT, node) >=
	    (int)sizeof(name))
		return rc ? rc : -ENAMETOOLONG;
	fd = state_subdir(dirfd, PXEINV_STATE_INSTALLED, 0);
	if (fd < 0)
		return (rc || fd == -ENOENT) ? rc : fd;
	if (unlinkat(fd, name, 0) != 0 && errno != ENOENT && rc == 0)
		rc = -errno;
	close(fd);
	return rc;
}

int state_once_is_marked(int dirfd, const char *node, long long *when)
{
	struct kvfile f;
	int fd, marked;

	if (when)
		*when = 0;
	fd = state_subdir(dirfd, PXEINV_STATE_ONCE, 0);
	if (fd < 0)
		return 0;
	/* the marker's existence is what dnsmasq looks at */
	marked = faccessat(fd, node, F_OK, 0) == 0;
	if (marked && when && kv_read(fd, node, &f) == 0)
		*when = kv_get_num(&f, "installed");
	close(fd);
	return marked;
}
