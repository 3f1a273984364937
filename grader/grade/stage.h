/* stage: copies what is graded (a program's source and the headers beside it) into the
 * grader's own work folder before any build, so the owner, mode and umask of the student's
 * folder never matter: a 0700 folder made by mktemp -d, 0600 files, a CI checkout. */
#ifndef SOCKGRADE_STAGE_H
#define SOCKGRADE_STAGE_H

#include <stddef.h>

/* Copies the regular file src (never through a symbolic link) and the regular *.h files of its
 * folder into the new folder dir (mode 0755, files 0644). Returns 0 and sets *staged to the
 * copy of src (caller frees), or -1 with err naming the file and the problem. */
int stage_source(const char *src, const char *dir, char **staged, char *err, size_t errlen);

/* The files stage_source would copy, in place: src and the headers beside it that are regular
 * files (never links) of a size it copies. A re-check keys a program's kept result by them
 * before deciding to stage it at all. 0 with *files (heap, *n of them; src first), or -1 when
 * src itself would not be copied. */
int stage_list(const char *src, char ***files, size_t *n);

#endif
