#ifndef MERGE_DACONV_TERMINATION_H
#define MERGE_DACONV_TERMINATION_H
/*
 * Files to remove if the process is ended by SIGINT, SIGTERM or SIGHUP: a merge writes its output under a
 * hidden temporary name, and Ctrl-C or a CI job's timeout would otherwise leave that half-written file behind.
 *
 * Paths are registered in a fixed table (no allocation, so the signal handler only reads memory that never
 * moves); the handler unlinks every registered path, then lets the signal end the process as it would have.
 * Registering does nothing visible until mdk_termination_install() was called once.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Paths the table holds at once, and their longest length in bytes (without the terminating zero). */
#define MDK_TERMINATION_SLOTS 64
#define MDK_TERMINATION_PATH_MAX 4095

/* Handles SIGINT, SIGTERM and SIGHUP where they still have their default action (a signal the process
 * ignores, as under nohup, stays ignored; another handler is left in place). Returns how many of the three
 * it now handles. Safe to call more than once. */
int mdk_termination_install(void);

/* Registers `path` for removal; returns its slot, or -1 if the table is full or the path too long. */
int64_t mdk_termination_add(const char *path);

/* Forgets a slot (the file was renamed or removed). Does nothing for -1. */
void mdk_termination_remove(int64_t slot);

/* The paths registered now, for tests: how many. */
int64_t mdk_termination_count(void);

#ifdef __cplusplus
}
#endif

#endif
