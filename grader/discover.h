/* discover: finds lecture programs in a submission by file name. A file whose name is close
 * to a program's (get_hostbyaddr.c for get_host_byaddr.c) is reported as a near miss, never
 * silently ignored; it is not graded, because the course asks for the exact names. */
#ifndef SOCKGRADE_DISCOVER_H
#define SOCKGRADE_DISCOVER_H

#include <stddef.h>

struct found_source {
    char *program;   /* the lecture program */
    char *path;      /* host path of the .c file */
};

struct discovery {
    struct found_source *found;
    size_t nfound;
    char **near_files;     /* file names that resemble a program ... */
    char **near_programs;  /* ... and the program each resembles */
    size_t nnear;
};

/* Scans paths (folders, searched a few levels deep, or .c files) for the known programs. */
int discover(const char *const *paths, size_t npaths, char *const *programs, size_t nprograms,
             struct discovery *out, char *err, size_t errlen);
void discovery_free(struct discovery *d);

/* Lists the programs that have a spec (<assignments>/<name>/spec.json), sorted. */
int discover_programs(const char *assignments, char ***names, size_t *n, char *err, size_t errlen);

#endif
