/* grade: grades one submission: finds its programs, builds each, runs every check, each in a
 * runner process of its own, several at once, and assembles the run result. A runner that
 * crashes or overruns its bound costs only its own check (status "error"). The one way a run
 * result is made: check and batch both grade through grade_run, and a batch records a student
 * it could not grade through grade_failed, so every report has the same header. */
#ifndef SOCKGRADE_GRADE_H
#define SOCKGRADE_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"
#include "sandbox/sandbox.h"

struct cache;

/* Told of each result as it is known (grade_stream.c says in which order): the program's
 * build, then its checks one by one, each with its final status. p is the program's result so
 * far; it stays the caller's to read only during the call. */
struct grade_progress {
    void (*build)(void *ctx, const struct program_result *p);
    void (*check)(void *ctx, const struct program_result *p, size_t check);
    void *ctx;
    int stop_fd;  /* readable (a signalfd): stop at once, the run's error says so; -1: none */
};

struct grade_options {
    uint64_t seed;
    enum sandbox_mode mode;
    int jobs;                  /* runners at once (0: twice the cores) */
    const char *assignments;   /* folder of <program>/spec.json */
    const char *programs;      /* --programs: the lecture programs to grade, separated by commas
                                * or spaces (NULL: every program with a spec) */
    const char *version;       /* the grader's version, in every report */
    struct cache *cache;       /* the submission's kept results (grade/cache.h): unchanged
                                * programs are reused and fresh results kept; NULL: none */
    const struct grade_progress *progress; /* NULL: nobody is told before the run ends */
};

/* Whether program is in list (grade_options.programs; NULL or "" holds every program). */
bool grade_program_listed(const char *list, const char *program);

/* Grades the submission at paths into r, whose old contents are not freed: the run's header
 * (grader version, seed, sandbox, isolation, submission), the programs found, near misses and
 * missing ones, every check and the totals. Fills r always, even on error: r->error then says
 * what went wrong. Returns 0 or -1. */
int grade_run(const char *const *paths, size_t npaths, const struct grade_options *o,
              struct run_result *r);
/* The result of a submission that could not be graded (a worker that died): the same header,
 * no programs, and why as the run's error. */
void grade_failed(const char *submission, const struct grade_options *o, const char *why,
                  struct run_result *r);

#endif
