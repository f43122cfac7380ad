/*
 * The CLI's out-of-memory policy: an allocation that fails ends the
 * process (see ARCHITECTURE.md, "One error convention").
 */
#ifndef PXEINV_OOM_H
#define PXEINV_OOM_H

/**
 * Say on stderr what could not be allocated, then abort().
 *
 * @v what      What was being allocated ("an arena chunk", ...)
 */
void abort_out_of_memory(const char *what) __attribute__((noreturn));

#endif /* PXEINV_OOM_H */
