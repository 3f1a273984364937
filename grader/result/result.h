/* result: the one result model every report writer reads. Strings are owned, valid UTF-8
 * (result_text repairs invalid bytes) and capped, because they carry student output. */
#ifndef SOCKGRADE_RESULT_H
#define SOCKGRADE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"

#define RESULT_SCHEMA "sockgrade-report/1"
#define RESULT_TEXT_CAP 2048 /* bytes kept of any one expected/actual/diagnostic text */

/* The statuses as the reports and the runner pipe spell them; looked up by name with
 * util_enum_value. */
enum check_status { STATUS_PASSED, STATUS_FAILED, STATUS_SKIPPED, STATUS_ERROR };
extern const char *const check_status_names[];
const char *check_status_name(enum check_status s);

/* expected, actual and hint may be NULL (nothing to say). For a skipped check, actual holds
 * the reason it was not run ("not run: the build failed"); for an error, what went wrong. */
/* What the grader ran and saw in a check, so that a student can do it again: recorded for a
 * check that failed or went wrong after its program started. */
struct check_evidence {
    char *command;      /* the program's command line, e.g. "./udp_echocli 127.0.0.1 33420" */
    char *stdin_text;   /* what it was given on stdin, quoted ("\"hello\\n\""), or NULL */
    char **peers;       /* the grader's side: "UDP echo server on 127.0.0.1:33420, replies reversed" */
    size_t npeers;
    char *ended;        /* how it ended: "exit status 0", "killed by signal 11 (...)" */
    char *output;       /* what it printed: "printed \"...\"; stderr \"...\"" (capped), or NULL */
    char *valgrind;     /* under Valgrind: its own lines (errors, frames in the student's file) */
};
void result_evidence_free(struct check_evidence *e); /* and e itself */

struct check_result {
    char *id;
    char *description;
    enum spec_level level;
    enum spec_visibility visibility;
    enum check_status status;
    double score;
    double max_score;
    char *expected;
    char *actual;
    char *hint;
    struct check_evidence *evidence; /* NULL: nothing recorded (passed, skipped, not run) */
    int64_t duration_ms;
};
/* Why a skipped check was not run, for display: its actual without a leading "skipped: ",
 * or a generic reason when it has none. */
const char *result_skip_reason(const struct check_result *c);
/* A check the grading machine could not run (no namespaces, no Valgrind) is skipped with a
 * reason that starts with this, and max_score 0: it is left out of the maximum. */
#define RESULT_NOT_COUNTED "not counted: "
bool result_not_counted(const struct check_result *c);

enum build_status { BUILD_OK, BUILD_FAILED, BUILD_ERROR };
extern const char *const build_status_names[];
const char *build_status_name(enum build_status s);

struct build_result {
    enum build_status status;
    char *command;      /* the compiler command line, for the student to reproduce */
    char *diagnostics;  /* compiler output (capped), "" when clean */
    int64_t duration_ms;
};

struct program_result {
    char *name;         /* lecture program, e.g. "tcp_echocli" */
    char *source;       /* file name as found, e.g. "tcp_echocli.c" */
    struct build_result build;
    struct check_result *checks;
    size_t nchecks;
    double score;
    double max_score;
    bool reused;        /* taken from the cache of an earlier run, not graded in this one */
};

struct near_miss {
    char *file;         /* what was found, e.g. "get_hostbyaddr.c" */
    char *program;      /* the lecture program it resembles */
};

struct run_result {
    uint64_t seed;
    char *sandbox;      /* isolation mode used: "namespaces" or "none" */
    char *isolation;    /* what that mode confined on the grading machine, or NULL */
    char *grader_version;
    char *submission;   /* the path graded */
    struct program_result *programs;
    size_t nprograms;
    char **missing;     /* lecture programs not found */
    size_t nmissing;
    double *missing_max; /* per missing[i]: the points its spec offers, or NULL when unknown
                            (a report read back from JSON). Not part of max_score, and not in
                            the native JSON: the classroom format counts them as lost */
    struct near_miss *near_misses;
    size_t nnear_misses;
    double score;
    double max_score;
    int64_t duration_ms;
    char *error;        /* an internal error of the grader (status "error"), else NULL */
};

/* Copies text into a capped, valid-UTF-8 string: invalid bytes become U+FFFD, output longer
 * than cap is cut at a character boundary and marked with "…[N bytes more]".
 * An invalid sequence (stray byte, overlong, surrogate, > U+10FFFF, truncated) is
 * replaced by one U+FFFD per maximal subpart; a NUL byte becomes the two characters "\0".
 * At most cap bytes of text are kept (the marker comes on top; N counts input bytes not
 * shown); cap 0 means no cap. text may be NULL (gives ""). Never returns NULL. */
char *result_text(const char *text, size_t len, size_t cap);

/* A copy of the C string s with invalid UTF-8 replaced by U+FFFD, nothing else changed
 * (NULL gives ""). The writers run every string through it: valid output even from raw input. */
char *result_utf8_repair(const char *s);

/* Free the members of an element of an array (checks, programs) and zero it. */
void result_check_free(struct check_result *c);
void result_program_free(struct program_result *p);
/* Frees everything a run holds and zeroes it; the struct itself is the caller's (free() it
 * too when it came from result_json_read). NULL-safe. */
void result_run_free(struct run_result *r);
/* Sums check scores into the program and run totals. */
void result_total(struct run_result *r);
/* 0 when every check passed, 1 when some check failed or a build failed, 2 on internal error.
 * A check with status error counts as failed (1); a run with no programs found is 1. */
int result_exit_status(const struct run_result *r);

/* The warnings in a compiler's output that often name a bug (implicit declarations, an
 * assignment used as a condition, format mismatches, uninitialised use, ...), each with its
 * notes and source lines, at most 8; style noise (-Wpointer-sign, unused variables) left
 * out. *count: how many such warnings there were. Heap; "" when none. */
char *result_bug_warnings(const char *diagnostics, size_t *count);

#endif
