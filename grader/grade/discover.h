/* discover: finds lecture programs in a submission by file name. A file whose name is close
 * to a program's (get_hostbyaddr.c for get_host_byaddr.c) is reported as a near miss, never
 * silently ignored; it is not graded, because the course asks for the exact names. */
#ifndef SOCKGRADE_DISCOVER_H
#define SOCKGRADE_DISCOVER_H

#include <stddef.h>

struct found_source {
    char *program;   /* the lecture program */
    char *path;      /* host path of the .c file */
    char *relpath;   /* the same below the PATH it was found in (what the report shows) */
};

struct discovery {
    struct found_source *found;
    size_t nfound;
    char **near_files;     /* file names that resemble a program ... */
    char **near_programs;  /* ... and the program each resembles */
    size_t nnear;
    /* Why the submission cannot be graded as handed in (two files for one program, a file
     * below the search depth), or NULL: discover() then fails with it, never choosing. */
    char *problem;
};

/* Scans paths (folders, searched a few levels deep, or .c files) for the known programs.
 * Refuses (-1, err) two files for one program and a program's file below the search depth,
 * naming the files: grading one of them silently could grade the wrong one. */
int discover(const char *const *paths, size_t npaths, char *const *programs, size_t nprograms,
             struct discovery *out, char *err, size_t errlen);
void discovery_free(struct discovery *d);

/* Loads every <assignments>/<name>/spec.json (every folder there must have one) and checks
 * that it names the program of its folder. Returns how many are broken, with *report holding
 * one line per problem (heap; "" when none), or -1 with err when the folder cannot be read. */
int discover_validate(const char *assignments, char **report, char *err, size_t errlen);

/* Lists the programs that have a spec (<assignments>/<name>/spec.json) in the lecture's order
 * (each spec's "order"; those without one last, by name). */
int discover_programs(const char *assignments, char ***names, size_t *n, char *err, size_t errlen);

#endif
