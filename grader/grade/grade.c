/* grade: one submission's tasks. Builds and checks are tasks; each runs in a runner process
 * of the pool (util/pool.c) and reports one JSON result on its pipe. Tasks start longest first
 * once what they need is built, and a runner that overruns its bound is killed. */
#include "grade.h"
#include "grade_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "check/check.h"
#include "discover.h"
#include "check/env.h"
#include "grade_wire.h"
#include "stage.h"
#include "util/pool.h"
#include "util/util.h"
#include "util/workdir.h"

/* A runner's work folder, which the runner makes: on a /tmp that many processes churn, an
 * ext4 mkdir took 1-2 ms (make bench's profile), too long for the loop that starts runners.
 * The namespace sandbox only mounts over it in the runner's own mount namespace, so there all
 * runners share one (made by the first): a folder per run cost each run an ext4 inode. */
static char *new_dir(struct grading *g)
{
    if (sandbox_mode_shares_workdir(g->o->mode))
        return xasprintf("%s/mnt", g->workroot);
    return xasprintf("%s/w%zu", g->workroot, g->nworkdirs++);
}

static void task_end(struct grading *g, struct task *t, const char *data, size_t len,
                     const char *why);

/* The ready checks judged on t's run go with it: they hold no place and start no runner. */
static void take_riders(struct grading *g, struct task *t)
{
    for (size_t i = 0; !t->is_build && i < g->ntasks; i++) {
        struct task *r = &g->tasks[i];
        if (r->leader != t || r->state != TASK_READY)
            continue;
        r->state = TASK_RUNNING;
        t->riders = xrealloc(t->riders, (t->nriders + 1) * sizeof *t->riders);
        t->riders[t->nriders++] = r;
    }
}

/* Starts the task's runner. When the grader cannot (no work folder, no pipe, no process), the
 * task ends at once as a runner that failed, with the reason: the report says what happened. */
static void task_start(struct grading *g, struct task *t)
{
    char err[UTIL_ERRLEN], *why;
    const struct spec_check *sc = t->is_build ? NULL : &g->specs[t->prog]->checks[t->check];
    int64_t bound = (!sc ? 60000 : check_budget_ms(sc)) + GRACE_MS;
    int rc = -1;
    t->job.arg = t;
    take_riders(g, t);
    t->workdir = new_dir(g);
    rc = pool_start(&g->pool, &t->job, bound, grade_runner_main, g, err, sizeof err);
    free(t->workdir);
    t->workdir = NULL;
    if (rc == 0) {
        t->state = TASK_RUNNING;
        return;
    }
    why = xasprintf("the grader could not start a runner: %s", err);
    task_end(g, t, "", 0, why);
    free(why);
}

static void skip_checks(struct grading *g, size_t prog, const char *why)
{
    struct program_result *pr = &g->r->programs[prog];
    for (size_t i = 0; i < g->ntasks; i++) {
        struct task *t = &g->tasks[i];
        if (t->is_build || t->prog != prog || t->state == TASK_DONE)
            continue;
        t->state = TASK_DONE;
        g->done++;
        pr->checks[t->check].status = STATUS_SKIPPED;
        pr->checks[t->check].actual = xstrdup(why);
    }
}

/* Why this machine cannot run the check honestly, or NULL: no Valgrind for a memcheck check,
 * no namespaces for a check that needs them. */
static const char *not_runnable_here(const struct grading *g, const struct task *t)
{
    const struct spec_check *sc = &g->specs[t->prog]->checks[t->check];
    if (sc->memcheck && !build_have_valgrind())
        return "needs Valgrind, which is not installed on the grading machine";
    if (!sandbox_mode_own_ports_and_etc(g->o->mode))
        return check_namespace_need(sc, &g->envs[t->prog]);
    return NULL;
}

/* A check this machine cannot run is skipped with its reason and not counted: its points
 * leave the maximum, so the grading machine's lack never costs the student (the report says
 * so); never passed, never graded differently. */
static void task_ready_or_skip(struct grading *g, struct task *t)
{
    const char *why = not_runnable_here(g, t);
    if (!why) {
        t->state = TASK_READY;
        return;
    }
    struct check_result *c = &g->r->programs[t->prog].checks[t->check];
    c->status = STATUS_SKIPPED;
    c->actual = xasprintf("%s%s", RESULT_NOT_COUNTED, why);
    c->score = 0;
    c->max_score = 0;
    t->state = TASK_DONE;
    g->done++;
}

/* Once the program is built, its checks can start: the ordinary ones and the memcheck ones run
 * the same binary. */
static void ready_checks(struct grading *g, size_t prog)
{
    for (size_t i = 0; i < g->ntasks; i++) {
        struct task *t = &g->tasks[i];
        if (!t->is_build && t->prog == prog && t->state == TASK_WAITING)
            task_ready_or_skip(g, t);
    }
}

static void build_finish(struct grading *g, struct task *t, const char *data, const char *why)
{
    size_t p = t->prog;
    struct build_result *b = &g->r->programs[p].build;
    char bad[UTIL_ERRLEN];
    if (wire_build_decode(data, b, bad, sizeof bad) < 0) {
        b->status = BUILD_ERROR;
        /* A runner that ended normally but sent a bad document is a grader bug: say where. */
        b->diagnostics = *data ? xasprintf("%s: %s", why, bad) : xstrdup(why);
    }
    if (b->status == BUILD_OK)
        ready_checks(g, p);
    else
        skip_checks(g, p, b->status == BUILD_FAILED ? "the program did not compile"
                                                    : "the build could not run");
}

static void check_end(struct grading *g, const struct task *t, const char *data, const char *why)
{
    struct check_result *c = &g->r->programs[t->prog].checks[t->check];
    char bad[UTIL_ERRLEN];
    if (wire_check_decode(data, c, bad, sizeof bad) < 0) {
        c->status = STATUS_ERROR;
        /* A runner that ended normally but sent a bad document is a grader bug: say where. */
        c->actual = *data ? xasprintf("%s: %s", why, bad) : xstrdup(why);
    }
}

/* The task's result is data[len], the runner's report; why says what went wrong when data is
 * not a report (a runner that died, or that never started). */
static void task_end(struct grading *g, struct task *t, const char *data, size_t len,
                     const char *why)
{
    t->state = TASK_DONE;
    g->done++;
    g->nplace[t->place]--;
    if (t->is_build) {
        build_finish(g, t, data, why);
    } else {
        /* The leader's document, then each rider's: each ends at its NUL. */
        const char *end = data + len;
        for (size_t i = 0; i <= t->nriders; i++) {
            struct task *who = i ? t->riders[i - 1] : t;
            check_end(g, who, data, why);
            data += data < end ? strlen(data) + 1 : 0;
            if (i) {
                who->state = TASK_DONE;
                g->done++;
            }
        }
        free(t->riders);
        t->riders = NULL;
        t->nriders = 0;
    }
    stream_program(g, t->prog);
}

/* Why a runner that ended gave no report. Caller frees. */
static char *runner_failure(const struct task *t, const struct pool_job *job)
{
    int st = job->status;
    if (t->is_build)
        return xasprintf("the build runner failed (status %d)", st);
    if (job->overran)
        return xasprintf("the grader's runner was killed (signal %d): the check overran its "
                         "bound", WIFSIGNALED(st) ? WTERMSIG(st) : SIGKILL);
    if (WIFSIGNALED(st))
        return xasprintf("the grader's runner was killed by signal %d (%s)", WTERMSIG(st),
                         strsignal(WTERMSIG(st)));
    if (WEXITSTATUS(st) != 0)
        return xasprintf("the grader's runner failed (exit status %d; the grader's messages "
                         "say why)", WEXITSTATUS(st));
    return xstrdup("the grader's runner failed to report");
}

static void task_finish(void *ctx, struct pool_job *job)
{
    struct grading *g = ctx;
    struct task *t = job->arg;
    char *why = runner_failure(t, job);
    trace_task(g, t, job);
    task_end(g, t, job->out.data ? job->out.data : "", job->out.data ? job->out.len : 0, why);
    free(why);
    strbuf_release(&job->out);
}

/* A check's wall time spent waiting on purpose (a peer that answers late), in ms: such a check
 * costs no CPU meanwhile. */
static int64_t check_wait_ms(const struct spec_check *sc)
{
    int64_t wait = 0;
    for (size_t i = 0; i < sc->npeers; i++)
        wait += sc->peers[i].delay_ms;
    return wait;
}

/* What a task is expected to take, ending with the longest chain of tasks that wait for it:
 * a check its own time, a build also its slowest check's. Measured (make bench's trace): an
 * ordinary check about 10 ms, a build 50, a run under Valgrind 300, plus any wait. */
static int64_t task_estimate(const struct grading *g, const struct task *t)
{
    const struct spec *sp = g->specs[t->prog];
    if (!t->is_build)
        return (sp->checks[t->check].memcheck ? 300 : 10) + check_wait_ms(&sp->checks[t->check]);
    int64_t longest = 0;
    for (size_t c = 0; c < sp->nchecks; c++) {
        struct task check = { .prog = t->prog, .check = c };
        int64_t e = task_estimate(g, &check);
        if (e > longest)
            longest = e;
    }
    return 50 + longest;
}

/* The place task t would hold (grade_int.h). With one place in all (no loopback of its own,
 * or -j 1), every task holds the one. */
static enum task_place place_of(const struct grading *g, const struct task *t, size_t jobs)
{
    if (t->is_build || jobs == 1)
        return PLACE_CPU;
    const struct spec_check *sc = &g->specs[t->prog]->checks[t->check];
    if (check_wait_ms(sc) >= 500)
        return PLACE_NONE;
    return sc->memcheck ? PLACE_CPU : PLACE_CHECK;
}

/* Of the ready tasks whose place has room, the one that begins the longest chain, so the slow
 * tasks never make the tail: a check that waits 1.2 s for a late reply starts as soon as its
 * build is in, and that build before the others. */
static struct task *next_task(struct grading *g, const bool *room, size_t jobs)
{
    struct task *best = NULL;
    int64_t best_estimate = -1;
    for (size_t i = 0; i < g->ntasks; i++) {
        struct task *t = &g->tasks[i];
        bool can = t->state == TASK_READY && (!t->leader || t->leader->state == TASK_DONE) &&
                   room[place_of(g, t, jobs)];
        int64_t e = can ? task_estimate(g, t) : -1;
        if (e > best_estimate) {
            best = t;
            best_estimate = e;
        }
    }
    return best;
}

/* The cores, asked once: glibc reads /sys for each sysconf(_SC_NPROCESSORS_ONLN), which took
 * 7% of the grader's own CPU asked at every step. */
static size_t online_cores(void)
{
    static long n;
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* Starts what may start, then waits for a runner to end (one past its bound is killed: its
 * pipe closes, and it finishes as an error). */
static void pool_step(struct grading *g)
{
    size_t jobs = g->o->jobs > 0 ? (size_t)g->o->jobs : 2 * online_cores();
    if (!sandbox_mode_own_loopback(g->o->mode)) /* one loopback shared with the host: no two at once */
        jobs = 1;
    for (;;) {
        /* The big tasks first, the small ones to fill in after them: a check starts only once
         * every build and Valgrind run that could start has, so it never slows the chain they
         * make, and then it may take any of 2 * jobs places those do not hold, so the checks
         * keep both cores busy while the last Valgrind runs end. */
        bool cpu_ready = false;
        for (size_t i = 0; i < g->ntasks && !cpu_ready; i++)
            cpu_ready = g->tasks[i].state == TASK_READY && place_of(g, &g->tasks[i], jobs) == PLACE_CPU;
        bool room[PLACE_KINDS] = { g->nplace[PLACE_CPU] < jobs,
                                   !cpu_ready && g->nplace[PLACE_CHECK] + g->nplace[PLACE_CPU] < 2 * jobs,
                                   true };
        struct task *next = next_task(g, room, jobs);
        if (!next)
            break;
        next->place = place_of(g, next, jobs);
        g->nplace[next->place]++;
        task_start(g, next);
    }
    if (g->done < g->ntasks && pool_wait(&g->pool, 1000, task_finish, g) == 1) {
        /* Stopped (watch mode's Ctrl-C): the runners are killed, the run is not a verdict. */
        pool_stop(&g->pool);
        g->r->error = xstrdup("grading was interrupted");
        g->done = g->ntasks;
    }
}

/* The build reads a copy in the grader's work folder, so the student's folder may be 0700 or
 * its files 0600 (mktemp -d, umask 077, a CI checkout): what the grader can read is graded.
 * A file that cannot be copied (a symbolic link named on the command line) is built in place,
 * where the sandbox's own view decides, as before. */
static void stage_program(struct grading *g, size_t i, const char *path)
{
    char err[UTIL_ERRLEN], *dir = xasprintf("%s/src-%s", g->workroot, g->specs[i]->program);
    if (stage_source(path, dir, &g->staged[i], err, sizeof err) == 0)
        g->sources[i] = g->staged[i];
    free(dir);
}

static int load_programs(struct grading *g, const struct discovery *d)
{
    struct run_result *r = g->r;
    char err[UTIL_ERRLEN];
    r->nprograms = d->nfound;
    r->programs = xcalloc(d->nfound ? d->nfound : 1, sizeof *r->programs);
    g->specs = xcalloc(d->nfound ? d->nfound : 1, sizeof *g->specs);
    g->envs = xcalloc(d->nfound ? d->nfound : 1, sizeof *g->envs);
    g->sources = xcalloc(d->nfound ? d->nfound : 1, sizeof *g->sources);
    g->staged = xcalloc(d->nfound ? d->nfound : 1, sizeof *g->staged);
    g->keys = xcalloc(d->nfound ? d->nfound : 1, sizeof *g->keys);
    for (size_t i = 0; i < d->nfound; i++) {
        char *path = xasprintf("%s/%s/spec.json", g->o->assignments, d->found[i].program);
        g->specs[i] = spec_load(path, err, sizeof err);
        free(path);
        if (!g->specs[i]) {
            r->error = xstrdup(err);
            return -1;
        }
        struct program_result *p = &r->programs[i];
        p->name = xstrdup(d->found[i].program);
        p->source = xstrdup(d->found[i].relpath); /* sub/tcp_echocli.c: where it was found */
        p->nchecks = g->specs[i]->nchecks;
        p->checks = xcalloc(p->nchecks ? p->nchecks : 1, sizeof *p->checks);
        for (size_t k = 0; k < p->nchecks; k++)
            check_result_init(&p->checks[k], &g->specs[i]->checks[k]);
        g->sources[i] = d->found[i].path;
        env_make(&g->envs[i], g->o->seed, d->found[i].program);
    }
    return 0;
}

/* What the builds of the programs to grade need: the staged sources and the binaries' folder.
 * A reused program needs neither. */
static void prepare_builds(struct grading *g)
{
    for (size_t i = 0; i < g->r->nprograms; i++) {
        if (g->r->programs[i].reused)
            continue;
        stage_program(g, i, g->sources[i]);
        char *bindir = grade_bin_dir(g, g->specs[i]->program);
        if (mkdir(bindir, 0755) == 0)
            chmod(bindir, 0755); /* not the caller's umask: the sandbox's uid runs what lands here */
        free(bindir);
    }
}

/* Per program: its build, then its checks. */
static void make_tasks(struct grading *g)
{
    for (size_t i = 0; i < g->r->nprograms; i++)
        g->ntasks += 1 + g->specs[i]->nchecks;
    g->tasks = xcalloc(g->ntasks ? g->ntasks : 1, sizeof *g->tasks);
    size_t k = 0;
    for (size_t i = 0; i < g->r->nprograms; i++) {
        if (g->r->programs[i].reused) /* its kept result stands */
            continue;
        g->tasks[k++] = (struct task){ .is_build = true, .prog = i, .state = TASK_READY };
        size_t first = k;
        for (size_t c = 0; c < g->specs[i]->nchecks; c++) {
            size_t of = g->specs[i]->checks[c].run_of;
            g->tasks[k++] = (struct task){ .prog = i, .check = c, .state = TASK_WAITING,
                                           .leader = of == c ? NULL : &g->tasks[first + of] };
        }
    }
    g->ntasks = k;
}

/* Frees what grading held and removes its work folder. */
static void grading_free(struct grading *g)
{
    size_t n = g->r->nprograms;
    for (size_t i = 0; g->specs && i < n; i++) {
        spec_free(g->specs[i]);
        env_free(&g->envs[i]);
    }
    free(g->specs);
    free(g->envs);
    for (size_t i = 0; g->staged && i < n; i++)
        free(g->staged[i]);
    free(g->staged);
    free(g->sources);
    for (size_t i = 0; g->keys && i < n; i++)
        free(g->keys[i]);
    free(g->keys);
    free(g->tools);
    for (size_t i = 0; i < g->ntasks; i++)
        free(g->tasks[i].riders);
    free(g->tasks);
    pool_free(&g->pool);
    util_tree_remove(g->workroot);
    free(g->workroot);
}

/* What every report says about its run, graded or not. */
static void run_header(struct run_result *r, const struct grade_options *o, const char *submission)
{
    memset(r, 0, sizeof *r);
    r->grader_version = xstrdup(o->version);
    r->seed = o->seed;
    r->sandbox = xstrdup(sandbox_mode_name(o->mode));
    r->isolation = xstrdup(sandbox_isolation(o->mode));
    r->submission = xstrdup(submission);
}

void grade_failed(const char *submission, const struct grade_options *o, const char *why,
                  struct run_result *r)
{
    run_header(r, o, submission);
    r->error = xstrdup(why);
}

int grade_run(const char *const *paths, size_t npaths, const struct grade_options *o,
              struct run_result *r)
{
    struct grading g = { .o = o, .r = r };
    struct discovery d = { 0 };
    char err[UTIL_ERRLEN], **programs = NULL;
    size_t np = 0;
    int rc = -1;
    g.t0 = util_now_ms();
    trace_open(&g);
    run_header(r, o, npaths == 1 ? paths[0] : "(several paths)");
    pool_init(&g.pool, false, o->progress ? o->progress->stop_fd : -1);
    g.workroot = util_workdir_make("sockgrade", err, sizeof err);
    if (!g.workroot) {
        r->error = xstrdup(err);
        goto out;
    }
    if (discover_programs(o->assignments, &programs, &np, err, sizeof err) < 0) {
        r->error = xstrdup(err);
        goto out;
    }
    keep_listed(o->programs, programs, &np);
    if (discover(paths, npaths, programs, np, &d, err, sizeof err) < 0) {
        r->error = xstrdup(err);
        goto out;
    }
    note_discovery(r, &d, programs, np);
    if (note_missing_points(r, o->assignments) < 0 || load_programs(&g, &d) < 0)
        goto out;
    reuse_lookup(&g);
    prepare_builds(&g);
    reuse_keys(&g);
    make_tasks(&g);
    for (size_t i = 0; i < r->nprograms; i++)
        if (r->programs[i].reused)
            stream_program(&g, i);
    while (g.done < g.ntasks)
        pool_step(&g);
    for (size_t i = 0; i < r->nprograms; i++)
        check_apply_requirements(g.specs[i], &r->programs[i]);
    result_total(r);
    reuse_store(&g);
    rc = 0;
out:
    result_total(r);
    r->duration_ms = util_now_ms() - g.t0;
    trace_close(&g);
    grading_free(&g);
    for (size_t i = 0; i < np; i++)
        free(programs[i]);
    free(programs);
    discovery_free(&d);
    return rc;
}
