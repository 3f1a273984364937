/* grade_stream: results told as they come (watch mode prints each line the moment it has it).
 * A check is told only with its final status, so one whose requires_any is not settled yet
 * waits; and the memcheck checks, which take longest, come after every other check of their
 * program, so a student reads the behaviour first and Valgrind's word last. */
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "grade_int.h"
#include "util/util.h"

/* The task of program prog's check, or of its graded build (check SIZE_MAX); NULL for a
 * program that has no tasks (its result was reused). */
static struct task *stream_task(struct grading *g, size_t prog, size_t check)
{
    for (size_t i = 0; i < g->ntasks; i++) {
        struct task *t = &g->tasks[i];
        if (t->prog != prog)
            continue;
        if (check == SIZE_MAX ? t->is_build : !t->is_build && t->check == check)
            return t;
    }
    return NULL;
}

static bool stream_done(struct grading *g, size_t prog, size_t check)
{
    struct task *t = stream_task(g, prog, check);
    return !t || t->state == TASK_DONE;
}

/* Done, and so is every check it requires: its status is final once gated. */
static bool stream_settled(struct grading *g, size_t prog, size_t check)
{
    const struct spec *sp = g->specs[prog];
    const struct spec_check *sc = &sp->checks[check];
    if (!stream_done(g, prog, check))
        return false;
    for (size_t r = 0; r < sc->nrequires; r++)
        for (size_t k = 0; k < sp->nchecks; k++)
            if (strcmp(sp->checks[k].id, sc->requires_any[r]) == 0 && !stream_done(g, prog, k))
                return false;
    return true;
}

/* Tells each settled check of the kind asked for (memcheck or not) that was not told yet;
 * returns whether every check of that kind has now been told. */
static bool stream_checks(struct grading *g, size_t prog, bool memcheck, bool *told)
{
    const struct grade_progress *pg = g->o->progress;
    struct program_result *pr = &g->r->programs[prog];
    bool all = true;
    for (size_t c = 0; c < g->specs[prog]->nchecks; c++) {
        if (g->specs[prog]->checks[c].memcheck != memcheck || told[c])
            continue;
        if (!stream_settled(g, prog, c)) {
            all = false;
            continue;
        }
        check_apply_requirement(g->specs[prog], pr, c);
        told[c] = true;
        pg->check(pg->ctx, pr, c);
    }
    return all;
}

void stream_program(struct grading *g, size_t prog)
{
    const struct grade_progress *pg = g->o->progress;
    struct program_result *pr = &g->r->programs[prog];
    size_t n = g->specs[prog]->nchecks;
    if (!pg || !pg->build || !pg->check) /* a caller that only wants to stop the run */
        return;
    struct task *build = stream_task(g, prog, SIZE_MAX);
    if (build && build->state != TASK_DONE)
        return;
    bool *told = xcalloc(n ? n : 1, sizeof *told);
    for (size_t c = 0; c < n; c++) {
        struct task *t = stream_task(g, prog, c);
        told[c] = t && t->shown;
    }
    /* A reused program has no tasks: it is told whole, once (grade_run calls this once). */
    if (!build || !build->shown)
        pg->build(pg->ctx, pr);
    if (build)
        build->shown = true;
    if (stream_checks(g, prog, false, told))
        stream_checks(g, prog, true, told);
    for (size_t c = 0; c < n; c++) {
        struct task *t = stream_task(g, prog, c);
        if (t)
            t->shown = told[c];
    }
    free(told);
}
