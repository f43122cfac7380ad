/*
 * `pxeinv compile`: the state of one compile, and its plan: where OUT_DIR
 * and the new tree beside it are, which iPXE binaries go into it and which
 * one each firmware gets, and how many threads write it.
 *
 * Private to compile*.c: compile_tree.c writes what the plan says,
 * compile_swap.c puts the new tree in place of OUT_DIR.
 */
#ifndef PXEINV_COMPILE_PLAN_H
#define PXEINV_COMPILE_PLAN_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "compile.h"
#include "manifest.h"

/** iPXE binaries pxeinv knows, in compile_plan_binaries()'s order */
#define COMPILE_BINARIES 5
/** Script that UEFI iPXE builds without an embedded script run (optional) */
#define COMPILE_AUTOEXEC "autoexec.ipxe"
/** Most writing threads */
#define COMPILE_MAX_THREADS 8

/** Where a compile writes (absolute: they go into the dnsmasq fragment) */
struct compile_paths {
	char parent[PATH_MAX];          /**< OUT_DIR's parent directory */
	char final[PATH_MAX];           /**< OUT_DIR */
	char tftp[PATH_MAX];            /**< OUT_DIR/tftp */
	char cache[PATH_MAX];           /**< OUT_DIR/pxe-inventory.cdb */
	char tmp[PATH_MAX];             /**< the new tree (a mkdtemp
	                                   template until it is made) */
	char tmp_prefix[NAME_MAX + 1];  /**< name prefix of new trees */
	char old_prefix[NAME_MAX + 1];  /**< name prefix of trees being
	                                   removed */
};

/** Index kinds, in compile_index.c's order */
#define COMPILE_INDEX_KINDS 3

/** The identity index of the new tree (compile_index.c) */
struct compile_index {
	char *map;              /**< its identity map: what it holds */
	size_t map_len;
	int reuse;              /**< the previous tree's index holds the same
				     map: moved into the new tree at the swap */
	int moved;              /**< the previous tree's index is moved */
	int olddirfd;           /**< previous tree's pxeinv directory, or -1 */
	int newdirfd;           /**< new tree's pxeinv directory, or -1 */
	int kindfd[COMPILE_INDEX_KINDS]; /**< new index's directories, or -1 */
	int has_old;            /**< old_entries holds the previous map */
	struct strtab old_entries; /**< previous map's lines: entries that
				     are hard-linked, not written again */
	int oldkindfd[COMPILE_INDEX_KINDS]; /**< previous index's directories,
					       or -1 */
};

/** Compile state */
struct compile {
	const struct compile_opts *opts;
	struct compile_paths paths;
	const char *have[COMPILE_BINARIES]; /**< TFTP names of binaries
	                                       present */
	const char *source[COMPILE_BINARIES]; /**< their names in
	                                         opts->ipxe_dir */
	int autoexec;           /**< opts->ipxe_dir has COMPILE_AUTOEXEC */
	int dirfd;              /**< the new tree */
	char *err;
	size_t errlen;
	atomic_long files;      /**< files written, for the fault hook */
	pthread_mutex_t lock;   /**< guards err */
	int failed;             /**< err holds a reason */
	long kill_after;        /**< PXEINV_TEST_KILL_AFTER_FILES, or -1 */
	struct manifest old;    /**< the tree being replaced */
	struct compile_index index; /**< the identity index */
};

/**
 * Record a failure reason (the first one wins).
 *
 * @v c         Compile
 * @v fmt       Message
 * @ret rc      -1
 */
int __attribute__((format(printf, 2, 3)))
compile_fail(struct compile *c, const char *fmt, ...);

/**
 * Format a path, failing when it does not fit.
 *
 * @v out       Buffer
 * @v size      Size of out
 * @v fmt       printf format
 * @ret rc      0, or -1 when too long
 */
int __attribute__((format(printf, 3, 4)))
compile_path(char *out, size_t size, const char *fmt, ...);

/**
 * Work out the paths of a compile from opts->out_dir.
 *
 * @v c         Compile (opts set); paths are filled
 * @ret rc      0, or -1 (reason recorded) when OUT_DIR cannot be used
 */
int compile_plan_paths(struct compile *c);

/**
 * Find the iPXE binaries (and autoexec.ipxe) of opts->ipxe_dir.
 *
 * @v c         Compile (opts set); have, source and autoexec are filled
 */
void compile_plan_binaries(struct compile *c);

/**
 * The binary BIOS firmware gets: ipxe.pxe, else undionly.kpxe.
 *
 * @v c         Compile
 * @ret name    TFTP name, or NULL when there is neither
 */
const char *compile_plan_bios(const struct compile *c);

/**
 * The binary UEFI x86-64 firmware gets: snponly.efi, which drives the NIC
 * through the firmware's own driver (SNP), as OpenStack Ironic does by
 * default; it is a quarter of ipxe.efi's size and starts sooner. ipxe.efi
 * (iPXE's own NIC drivers) with --efi-full, or when snponly.efi is absent.
 *
 * @v c         Compile
 * @ret name    TFTP name, or NULL when there is neither
 */
const char *compile_plan_efi_x64(const struct compile *c);

/**
 * The binary UEFI arm64 firmware gets.
 *
 * @v c         Compile
 * @ret name    TFTP name, or NULL when there is none
 */
const char *compile_plan_efi_arm64(const struct compile *c);

/**
 * Number of threads for work on one file per node (0: the calling
 * thread alone).
 *
 * @v count     Nodes
 * @ret n       Threads
 */
int compile_plan_threads(size_t count);

#endif /* PXEINV_COMPILE_PLAN_H */
