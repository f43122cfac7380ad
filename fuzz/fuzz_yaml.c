/*
 * Fuzz target: the YAML loader and the checker (inventory/) on arbitrary
 * node files and _defaults.yaml files.
 *
 * Input: a node file, then optionally a NUL and a _defaults.yaml (YAML
 * never holds a NUL).  They are written as NODES/k8s/node-01.yaml and
 * NODES/_defaults.yaml in a tree made once under /tmp, loaded with
 * inventory_load() and checked with node_check_all(), as `pxeinv check`
 * does.
 *
 * Invariants: every diagnostic names one of the two files (or the tree),
 * with a line and column that both are 0 or both point into the file, a
 * level, and a one-line message; the counts match the list; and a tree
 * without errors has its one node, named node-01, with a valid install
 * mode and architecture.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "../inventory/check.h"
#include "../inventory/inventory.h"

/* on tmpfs: a file written to /tmp (ext4 here) reaches the disk, which
 * was most of an execution */
static char yaml_root[] = "/dev/shm/pxeinv-fuzz-yaml.XXXXXX";
static char yaml_node_path[sizeof(yaml_root) + 32];
static char yaml_defaults_path[sizeof(yaml_root) + 32];
static char yaml_dir_path[sizeof(yaml_root) + 32];

/**
 * Remove the tree at exit.
 */
static void yaml_remove_tree(void)
{
	unlink(yaml_node_path);
	unlink(yaml_defaults_path);
	rmdir(yaml_dir_path);
	rmdir(yaml_root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(yaml_root)) {
		perror("fuzz_yaml: mkdtemp");
		exit(1);
	}
	snprintf(yaml_dir_path, sizeof(yaml_dir_path), "%s/k8s", yaml_root);
	snprintf(yaml_node_path, sizeof(yaml_node_path), "%s/k8s/node-01.yaml",
		 yaml_root);
	snprintf(yaml_defaults_path, sizeof(yaml_defaults_path),
		 "%s/_defaults.yaml", yaml_root);
	if (mkdir(yaml_dir_path, 0755) != 0) {
		perror("fuzz_yaml: mkdir");
		exit(1);
	}
	atexit(yaml_remove_tree);
	return 0;
}

/**
 * Replace a file's contents.
 *
 * @v path      File
 * @v data      Contents
 * @v len       Length
 * @ret rc      0 or -errno
 */
static int yaml_write(const char *path, const uint8_t *data, size_t len)
{
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}

/**
 * Count the lines of a file as YAML 1.1 (and libyaml, whose marks the
 * diagnostics carry) counts them: a line ends at LF, CR, CR LF, and at the
 * Unicode breaks NEL (U+0085), LS (U+2028) and PS (U+2029).
 *
 * @v data      File
 * @v len       Its length
 * @ret lines   Lines
 */
static unsigned int yaml_lines(const uint8_t *data, size_t len)
{
	unsigned int lines = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n' ||
		    (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n')))
			lines++;
		else if (data[i] == 0xc2 && i + 1 < len && data[i + 1] == 0x85)
			lines++;
		else if (data[i] == 0xe2 && i + 2 < len && data[i + 1] == 0x80 &&
			 (data[i + 2] == 0xa8 || data[i + 2] == 0xa9))
			lines++;
	}
	return lines;
}

/**
 * Check one diagnostic.
 *
 * @v d         Diagnostic
 * @v node      Node file contents
 * @v nlen      Length
 * @v defaults  _defaults.yaml contents, or NULL
 * @v dlen      Length
 */
static void yaml_check_diag(const struct diag *d, const uint8_t *node,
			    size_t nlen, const uint8_t *defaults, size_t dlen)
{
	unsigned int lines;

	FUZZ_ASSERT(d->file && d->msg && d->msg[0]);
	FUZZ_ASSERT(!strchr(d->msg, '\n'));
	FUZZ_ASSERT(d->level == DIAG_ERROR || d->level == DIAG_WARNING);
	FUZZ_ASSERT((d->line == 0) == (d->col == 0));
	if (strcmp(d->file, yaml_node_path) == 0) {
		lines = yaml_lines(node, nlen);
	} else if (defaults && strcmp(d->file, yaml_defaults_path) == 0) {
		lines = yaml_lines(defaults, dlen);
	} else {
		FUZZ_ASSERT(strcmp(d->file, yaml_root) == 0);
		FUZZ_ASSERT(d->line == 0);
		return;
	}
	/* libyaml may point just past the last line (end of stream) */
	FUZZ_ASSERT(d->line <= lines + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size), *defaults = NULL;
	size_t nlen = nul ? (size_t)(nul - data) : size, dlen = 0, i;
	size_t errors, warnings = 0, counted_errors = 0;
	struct inventory inv;
	struct node *nodes;

	if (nul) {
		defaults = nul + 1;
		dlen = size - nlen - 1;
	}
	unlink(yaml_defaults_path);
	if (yaml_write(yaml_node_path, data, nlen) != 0 ||
	    (defaults && yaml_write(yaml_defaults_path, defaults, dlen) != 0))
		return 0;

	memset(&inv, 0, sizeof(inv));
	FUZZ_ASSERT(inventory_load(&inv, yaml_root, NULL) == 0);
	errors = node_check_all(&inv, &nodes);
	FUZZ_ASSERT(errors == inv.diags.errors);
	for (i = 0; i < inv.diags.n; i++) {
		yaml_check_diag(&inv.diags.v[i], data, nlen, defaults, dlen);
		counted_errors += inv.diags.v[i].level == DIAG_ERROR;
		warnings += inv.diags.v[i].level == DIAG_WARNING;
	}
	FUZZ_ASSERT(counted_errors == inv.diags.errors);
	FUZZ_ASSERT(warnings == inv.diags.warnings);
	if (errors == 0) {
		FUZZ_ASSERT(inv.n == 1);
		FUZZ_ASSERT(strcmp(nodes[0].hostname, "node-01") == 0);
		FUZZ_ASSERT(nodes[0].install == PXEINV_INSTALL_YES ||
			    nodes[0].install == PXEINV_INSTALL_NO ||
			    nodes[0].install == PXEINV_INSTALL_ONCE);
		FUZZ_ASSERT(strcmp(nodes[0].arch, "amd64") == 0 ||
			    strcmp(nodes[0].arch, "arm64") == 0);
	}
	inventory_free(&inv);
	return 0;
}
