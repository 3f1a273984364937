/* check: runs one check of a spec and judges it from what was observed (and, where other checks
 * share its run, judges those on the same observation). check_execute() runs
 * in a runner process that the grader forked for this check alone: it enters the sandbox
 * (which changes the process for good), binds the peers, runs the program, and evaluates the
 * spec's expectations in order; the first that fails decides expected, actual and hint. */
#ifndef SOCKGRADE_CHECK_H
#define SOCKGRADE_CHECK_H

#include "env.h"
#include "result/result.h"
#include "sandbox/sandbox.h"
#include "spec/spec.h"

struct check_ctx {
    const struct spec *spec;
    const struct spec_check *check;
    const struct env *env;
    const char *binary;       /* host path of the built program */
    enum sandbox_mode mode;
    const char *workdir;      /* a private, empty folder for this check */
    /* Further checks of the spec judged on this check's run (each one's run_of names it), or
     * none: out then holds 1 + nalso results, this check's first. */
    const struct spec_check *const *also;
    size_t nalso;
};

void check_execute(const struct check_ctx *ctx, struct check_result *out);

/* A fresh result carrying the check's identity and max score (status set by the caller). */
void check_result_init(struct check_result *r, const struct spec_check *c);

/* A check's wall-clock bound: its timeout, or under Valgrind twice that plus two seconds of
 * Valgrind's own start-up and exit (about 0.2 s of CPU, more on a loaded machine). */
int check_budget_ms(const struct spec_check *c);

/* Once every check of a program has its result: a check whose requires_any names no check
 * that passed is skipped with that reason and scores 0 (check_gate.c). */
void check_apply_requirements(const struct spec *s, struct program_result *pr);
/* The same for check i alone, once it and every check it requires have their results: what
 * a caller that shows checks as they finish (watch mode) applies before showing it. */
void check_apply_requirement(const struct spec *s, struct program_result *pr, size_t i);

/* Why a check cannot run honestly without the namespace sandbox, or NULL if it can. */
const char *check_namespace_need(const struct spec_check *c, const struct env *env);

#endif
