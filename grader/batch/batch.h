/* batch: grades a class, one folder per student, several students at once, each in a worker
 * process of its own (which runs grade_run and writes the student's report), so a worker
 * that dies costs only its student. The output folder is the batch's whole state:
 *   DIR/<student>.json          the native report (written atomically)
 *   DIR/.<student>.fingerprint  hash of what the report was graded from (written after it)
 *   DIR/.seed                   the batch's seed, reused when --seed is not given
 *   DIR/gradebook.csv           rebuilt from the reports after every student
 *   DIR/index.html, <student>.html  the class page and each report as a page (dashboard.h),
 *                               rewritten with the gradebook
 * A re-run grades only students whose fingerprint changed; merge joins several folders. */
#ifndef SOCKGRADE_BATCH_H
#define SOCKGRADE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grade/grade.h"

struct batch_options {
    const char *out;           /* output folder (created if missing) */
    struct grade_options grade; /* how every student is graded: jobs are the check runners per
                                * student; version and seed are in every fingerprint too */
    bool seed_given;           /* false: reuse DIR/.seed when there is one, else grade.seed */
    int jobs;                  /* students at once */
    bool force;                /* regrade even unchanged students */
    unsigned shard_k, shard_n; /* grade slice k (1-based) of n; shard_n 0: every student */
    bool progress;             /* draw a progress bar on stderr (the caller checks for a tty) */
};

/* Grades the submissions (student folders). Returns 0 when every student of the slice has a
 * report and none of them is a grader error, 1 when some report is a grader error (the
 * others are complete), -1 with err filled when the batch could not run at all. */
int batch_run(const char *const *subs, size_t nsubs, const struct batch_options *o,
              char *err, size_t errlen);

/* Joins the reports of several output folders into out (which may be one of them): copies
 * reports and fingerprints that are not there yet (a later folder wins over an earlier one
 * for the same student) and writes out/gradebook.csv, whose max takes a program nobody handed
 * in from assignments (may be NULL), with only the columns of programs (NULL: all). A folder that is not a batch folder (no .seed, no report)
 * is refused. 0, or -1 with err filled. */
int batch_merge(const char *const *dirs, size_t ndirs, const char *out, const char *assignments,
                const char *programs, char *err, size_t errlen);

/* "K/N" with 1 <= K <= N: 0, else -1. */
int batch_parse_shard(const char *s, unsigned *k, unsigned *n);
/* Whether the student at index (in the name-sorted class) belongs to slice k of n. */
bool batch_in_shard(size_t index, unsigned k, unsigned n);

/* A hash (64-bit FNV-1a, every field length-prefixed) of salt (grader version, seed,
 * sandbox mode), of the names of all assignments and the spec.json of each program found in
 * student_dir, and of every file under student_dir (sorted relative paths and contents;
 * symbolic links by their target text). A file's timestamps do not count. */
int batch_fingerprint(const char *student_dir, const char *assignments, const char *salt,
                      uint64_t *out, char *err, size_t errlen);

/* The salt of every fingerprint of a batch: the grader's version and a hash of its own
 * executable, the seed and the sandbox mode. Caller frees. */
char *batch_salt(const char *version, uint64_t seed, const char *mode);

/* The student's name: the folder's last component (trailing slashes ignored). Caller frees. */
char *batch_student_name(const char *path);

#endif
