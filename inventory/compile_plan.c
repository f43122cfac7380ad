/*
 * `pxeinv compile`: the plan (see compile_plan.h), and the failure
 * reason every part records.
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile_plan.h"
#include "oom.h"

/** iPXE binaries copied into the TFTP root: source name, TFTP name */
static const char *const compile_binaries[COMPILE_BINARIES][2] = {
	{ "ipxe.pxe", "ipxe.pxe" },
	{ "undionly.kpxe", "undionly.kpxe" },
	{ "ipxe.efi", "ipxe.efi" },
	{ "snponly.efi", "snponly.efi" },
	{ "arm64/ipxe.efi", "arm64/ipxe.efi" },
};

/** Fewest nodes per thread */
#define COMPILE_NODES_PER_THREAD 512

int compile_fail(struct compile *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&c->lock);
	if (!c->failed) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
		c->failed = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return -1;
}

int compile_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

int compile_plan_paths(struct compile *c)
{
	struct compile_paths *p = &c->paths;
	const char *out_dir = c->opts->out_dir;
	char base[NAME_MAX + 1], *copy;
	int rc;

	copy = strdup(out_dir);
	if (!copy)
		abort_out_of_memory("the output path");
	snprintf(base, sizeof(base), "%s", basename(copy));
	strcpy(copy, out_dir);
	if (!realpath(dirname(copy), p->parent)) {
		rc = compile_fail(c, "cannot use %s: parent directory: %s",
				  out_dir, strerror(errno));
		free(copy);
		return rc;
	}
	free(copy);
	if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/"))
		return compile_fail(c, "OUT_DIR must name a directory, not "
				    "'%s'", out_dir);
	/* The paths go into dnsmasq lines: no separators or comments */
	if (strcspn(p->parent, " \t\n\r,#\"'\\") != strlen(p->parent) ||
	    strcspn(base, " \t\n\r,#\"'\\") != strlen(base))
		return compile_fail(c, "OUT_DIR '%s/%s' contains a space, "
				    "comma, quote, '#' or backslash, which "
				    "cannot go into dnsmasq's configuration; "
				    "choose another path", p->parent, base);
	if (compile_path(p->final, sizeof(p->final), "%s/%s", p->parent,
			 base) ||
	    compile_path(p->tftp, sizeof(p->tftp), "%s/tftp", p->final) ||
	    compile_path(p->cache, sizeof(p->cache), "%s/pxe-inventory.cdb",
			 p->final) ||
	    compile_path(p->tmp_prefix, sizeof(p->tmp_prefix),
			 ".%s.pxeinv-tmp.", base) ||
	    compile_path(p->old_prefix, sizeof(p->old_prefix),
			 ".%s.pxeinv-old.", base) ||
	    compile_path(p->tmp, sizeof(p->tmp), "%s/%sXXXXXX", p->parent,
			 p->tmp_prefix))
		return compile_fail(c, "OUT_DIR path is too long");
	return 0;
}

void compile_plan_binaries(struct compile *c)
{
	const char *dir = c->opts->ipxe_dir;
	char path[PATH_MAX];
	size_t i;

	if (!dir)
		return;
	for (i = 0; i < COMPILE_BINARIES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 compile_binaries[i][0]);
		if (access(path, R_OK) != 0)
			continue;
		c->source[i] = compile_binaries[i][0];
		c->have[i] = compile_binaries[i][1];
	}
	/* The fallback's (Debian's) UEFI binaries have no embedded script:
	 * they fetch this one from the TFTP server instead of autobooting */
	snprintf(path, sizeof(path), "%s/" COMPILE_AUTOEXEC, dir);
	c->autoexec = access(path, R_OK) == 0;
}

const char *compile_plan_bios(const struct compile *c)
{
	return c->have[0] ? c->have[0] : c->have[1];
}

const char *compile_plan_efi_x64(const struct compile *c)
{
	if (c->have[3] && (!c->opts->efi_full || !c->have[2]))
		return c->have[3];
	return c->have[2];
}

const char *compile_plan_efi_arm64(const struct compile *c)
{
	return c->have[4];
}

int compile_plan_threads(size_t count)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = count / COMPILE_NODES_PER_THREAD;

	if (n <= 1)
		return 0;
	if (cpus > 0 && n > (size_t)cpus)
		n = cpus;
	return n > COMPILE_MAX_THREADS ? COMPILE_MAX_THREADS : (int)n;
}
