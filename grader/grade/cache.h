/* cache: what `sockgrade check` remembers per submission folder, so that a re-check grades
 * only the programs that changed. Each program's last result is kept with the key of what it
 * was graded from (its staged sources, its spec, the grader's build, the compiler and Valgrind
 * it used, the seed and the sandbox mode); a program whose key is unchanged is not graded
 * again. The folder's seed is kept beside, so results stay comparable from run to run.
 *
 * Where: $XDG_CACHE_HOME/sockgrade (else ~/.cache/sockgrade), one folder per submission,
 * named by a hash of its real path: never inside the student's folder unless asked
 * (--cache-dir). An entry is believed only if it reads back whole through the report codec and
 * matches the key, program, spec, seed, mode and grader version asked for; anything else is
 * ignored, never trusted. A result with a grader fault (status error) is never stored. */
#ifndef SOCKGRADE_CACHE_H
#define SOCKGRADE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"
#include "spec/spec.h"

#define CACHE_KEY_HEX 64 /* a SHA-256, in hex */

struct cache;

/* $XDG_CACHE_HOME/sockgrade, else $HOME/.cache/sockgrade (caller frees), or NULL when
 * neither variable is set to an absolute path. */
char *cache_default_root(void);

/* The cache of the submission at path (a folder, or a file: its folder), under root; the
 * folders are made (mode 0700) as needed. NULL with err when that cannot be done. */
struct cache *cache_open(const char *root, const char *path, char *err, size_t errlen);
void cache_close(struct cache *c);
/* The folder holding this submission's entries, for messages. */
const char *cache_dir(const struct cache *c);

/* The submission's kept seed: 0, or -1 when none is stored or it cannot be read. */
int cache_seed_get(const struct cache *c, uint64_t *seed);
int cache_seed_put(const struct cache *c, uint64_t seed, char *err, size_t errlen);
/* Removes every stored result of the submission (its seed stays). */
void cache_forget_results(const struct cache *c);

/* The grader's build: the ELF build-id the linker put into this executable (a hash of its
 * contents), else a SHA-256 of /proc/self/exe, in hex; "" when neither can be had. */
const char *cache_grader_build(void);

/* What a program's result depends on. */
struct cache_source {
    const char *program;
    const char *spec_path;   /* its spec.json */
    const char *const *files; /* its sources: the .c and the headers beside it that the build
                               * reads (grade/stage.c), each counted by file name and bytes */
    size_t nfiles;
    const char *version;     /* the grader's version */
    const char *tools;       /* the compiler's and Valgrind's identity (build_tools_identity) */
    const char *mode;        /* the sandbox mode's name */
    uint64_t seed;
};

/* Fills key with the hex SHA-256 of everything in s (and the grader's build): 0, or -1 with err
 * when a file cannot be read (the program is then simply graded). */
int cache_key(const struct cache_source *s, char key[CACHE_KEY_HEX + 1], char *err, size_t errlen);

/* What an entry must match to be believed. */
struct cache_want {
    const char *key;
    const struct spec *spec;  /* program name, check ids and order */
    uint64_t seed;
    const char *mode;
    const char *version;
};

/* The stored result of w->spec's program into *out (which holds nothing yet): 0, or -1 with err
 * saying why there is none to use (missing, unreadable, another key, a mismatch). */
int cache_get(const struct cache *c, const struct cache_want *w, struct program_result *out,
              char *err, size_t errlen);
/* Stores p under key, atomically, with the run's header (seed, mode, version). A result with a
 * build or check in status error is refused (-1): a grader fault is graded again next time. */
int cache_put(const struct cache *c, const char *key, const struct run_result *head,
              const struct program_result *p, char *err, size_t errlen);

/* Does the stored form of p hold a grader fault (never stored, never reused)? */
bool cache_result_has_fault(const struct program_result *p);

#endif
