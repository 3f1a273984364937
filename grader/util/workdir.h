/* workdir: the grader's scratch folders. Every run, batch and sandbox probe makes its work
 * folder here, so they all honour $TMPDIR alike and are removed the same way. */
#ifndef SOCKGRADE_WORKDIR_H
#define SOCKGRADE_WORKDIR_H

#include <stddef.h>

/* Makes a fresh folder <$TMPDIR, else /tmp>/<prefix>.XXXXXX (mode 0700). Returns its path
 * (caller frees), or NULL with err naming the parent folder. */
char *util_workdir_make(const char *prefix, char *err, size_t errlen);

/* Removes path and everything below it, best effort, never following a symbolic link. */
void util_tree_remove(const char *path);

#endif
