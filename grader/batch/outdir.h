/* outdir: the batch's output folder as a resource of its own. One batch at a time may use it
 * (a lock), and whatever a batch killed before its own cleanup left behind (its work folder,
 * temporary files of atomic writes) is removed by the next one, which says so. */
#ifndef SOCKGRADE_OUTDIR_H
#define SOCKGRADE_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* A worker's exit status when it could not write its report because the folder's file system
 * is full (or over quota): the batch then stops, since every later student would fail alike. */
#define OUTDIR_FULL_EXIT 4

/* Takes DIR/.lock (flock, never waits) into *fd. -1 with err naming the holder when another
 * batch has it. Then removes what an interrupted batch left, with a line on stderr for each. */
int outdir_lock(const char *dir, int *fd, char *err, size_t errlen);
/* Writes this batch's pid and work folder into the lock file, for the next batch to clean. */
void outdir_record(int fd, const char *tmproot);
/* Releases the lock; the file stays, so the next batch finds the record. fd becomes -1. */
void outdir_unlock(int *fd);
/* Is errno value e "the file system is full"? */
bool outdir_full(int e);

#endif
