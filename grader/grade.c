/* grade: the runner pool. Builds and checks are tasks; each runs in a forked runner that
 * reports one JSON result on a pipe. The grader waits on those pipes (poll), never on sleeps,
 * and kills a runner that overruns its bound. */
#include "grade.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "check.h"
#include "discover.h"
#include "env.h"
#include "grade_wire.h"
#include "util.h"

#define GRACE_MS 10000 /* sandbox set-up and judging, on top of a check's own timeout */

enum task_state { TASK_WAITING, TASK_READY, TASK_RUNNING, TASK_DONE };

struct task {
    bool is_build;
    size_t prog, check;
    enum task_state state;
    pid_t pid;
    int fd;
    struct strbuf buf;
    int64_t deadline;
};

struct grading {
    const struct grade_options *o;
    struct run_result *r;
    struct spec **specs;
    struct env *envs;
    char **sources;
    char *workroot;
    struct task *tasks;
    size_t ntasks, done, running, nworkdirs;
};

static char *new_dir(struct grading *g, const char *what)
{
    char *d = xasprintf("%s/%s%zu", g->workroot, what, g->nworkdirs++);
    if (mkdir(d, 0755) < 0)
        die("cannot create %s: %s", d, strerror(errno));
    return d;
}

/* Where a program's build lands: the compiler's only writable folder, one per program. */
static char *bin_dir(const struct grading *g, const char *program)
{
    return xasprintf("%s/bin-%s", g->workroot, program);
}

static char *binary_path(const struct grading *g, size_t prog)
{
    char *dir = bin_dir(g, g->specs[prog]->program);
    char *path = xasprintf("%s/%s", dir, g->specs[prog]->program);
    free(dir);
    return path;
}

/* In the runner: do the task, print its result to fd. */
static _Noreturn void runner_main(struct grading *g, struct task *t, int fd, const char *workdir)
{
    char *json;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (t->is_build) {
        struct build_result b;
        char *outdir = bin_dir(g, g->specs[t->prog]->program);
        bool memcheck = false;
        for (size_t i = 0; i < g->specs[t->prog]->nchecks; i++)
            memcheck |= g->specs[t->prog]->checks[i].memcheck;
        struct build_request req = { g->sources[t->prog], g->specs[t->prog]->program, outdir,
                                     workdir, g->o->mode, memcheck };
        build_execute(&req, &b);
        json = wire_build_encode(&b);
    } else {
        struct check_result c;
        char *bin = binary_path(g, t->prog);
        struct check_ctx ctx = { g->specs[t->prog], &g->specs[t->prog]->checks[t->check],
                                 &g->envs[t->prog], bin, g->o->mode, workdir };
        check_execute(&ctx, &c);
        json = wire_check_encode(&c);
    }
    util_write_all(fd, json, strlen(json));
    _exit(0);
}

static void task_start(struct grading *g, struct task *t)
{
    int p[2];
    char *workdir = new_dir(g, "w");
    if (pipe2(p, O_CLOEXEC) < 0)
        die("pipe: %s", strerror(errno));
    fflush(NULL);
    t->pid = fork();
    if (t->pid < 0)
        die("fork: %s", strerror(errno));
    if (t->pid == 0) {
        close(p[0]);
        runner_main(g, t, p[1], workdir);
    }
    close(p[1]);
    free(workdir);
    t->fd = p[0];
    strbuf_init(&t->buf);
    const struct spec_check *sc = t->is_build ? NULL : &g->specs[t->prog]->checks[t->check];
    int timeout = !sc ? 60000 : sc->memcheck ? sc->timeout_ms * 4 + 4000 : sc->timeout_ms;
    t->deadline = util_now_ms() + timeout + GRACE_MS;
    t->state = TASK_RUNNING;
    g->running++;
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

/* Without namespaces, a check that cannot be run honestly is skipped with its reason:
 * never passed, never graded differently. */
static void task_ready_or_skip(struct grading *g, struct task *t)
{
    const char *why = g->o->mode == SANDBOX_NONE
                          ? check_namespace_need(&g->specs[t->prog]->checks[t->check]) : NULL;
    if (!why) {
        t->state = TASK_READY;
        return;
    }
    struct check_result *c = &g->r->programs[t->prog].checks[t->check];
    c->status = STATUS_SKIPPED;
    c->actual = xstrdup(why);
    t->state = TASK_DONE;
    g->done++;
}

static void task_finish(struct grading *g, struct task *t)
{
    int st = 0;
    while (waitpid(t->pid, &st, 0) < 0 && errno == EINTR)
        ;
    close(t->fd);
    t->state = TASK_DONE;
    g->running--;
    g->done++;
    struct program_result *pr = &g->r->programs[t->prog];
    const char *data = t->buf.data ? t->buf.data : "";
    if (t->is_build) {
        if (wire_build_decode(data, &pr->build) < 0) {
            pr->build.status = BUILD_ERROR;
            pr->build.diagnostics = xasprintf("the build runner failed (status %d)", st);
        }
        if (pr->build.status != BUILD_OK)
            skip_checks(g, t->prog, pr->build.status == BUILD_FAILED
                                        ? "the program did not compile"
                                        : "the build could not run");
        else
            for (size_t i = 0; i < g->ntasks; i++)
                if (!g->tasks[i].is_build && g->tasks[i].prog == t->prog)
                    task_ready_or_skip(g, &g->tasks[i]);
    } else {
        struct check_result *c = &pr->checks[t->check];
        if (wire_check_decode(data, c) < 0) {
            c->status = STATUS_ERROR;
            c->actual = WIFSIGNALED(st) ? xasprintf("the grader's runner was killed (signal %d): "
                                                    "the check overran its bound", WTERMSIG(st))
                                        : xstrdup("the grader's runner failed to report");
        }
    }
    strbuf_release(&t->buf);
}

static void pool_step(struct grading *g)
{
    size_t jobs = g->o->jobs > 0 ? (size_t)g->o->jobs : 2 * (size_t)sysconf(_SC_NPROCESSORS_ONLN);
    if (g->o->mode == SANDBOX_NONE) /* one loopback shared with the host: no two at once */
        jobs = 1;
    for (size_t i = 0; i < g->ntasks && g->running < jobs; i++)
        if (g->tasks[i].state == TASK_READY)
            task_start(g, &g->tasks[i]);
    struct pollfd *pf = xcalloc(g->running ? g->running : 1, sizeof *pf);
    struct task **who = xcalloc(g->running ? g->running : 1, sizeof *who);
    size_t n = 0;
    int64_t now = util_now_ms(), wait = 1000;
    for (size_t i = 0; i < g->ntasks; i++) {
        struct task *t = &g->tasks[i];
        if (t->state != TASK_RUNNING)
            continue;
        if (t->deadline <= now)
            kill(t->pid, SIGKILL); /* its pipe closes, and it finishes as an error */
        else if (t->deadline - now < wait)
            wait = t->deadline - now;
        pf[n] = (struct pollfd){ t->fd, POLLIN, 0 };
        who[n++] = t;
    }
    if (n && poll(pf, n, (int)wait) > 0)
        for (size_t i = 0; i < n; i++) {
            if (!pf[i].revents)
                continue;
            char buf[8192];
            ssize_t r = read(pf[i].fd, buf, sizeof buf);
            if (r > 0)
                strbuf_add(&who[i]->buf, buf, (size_t)r);
            else if (r == 0 || errno != EINTR)
                task_finish(g, who[i]);
        }
    free(pf);
    free(who);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
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
    for (size_t i = 0; i < d->nfound; i++) {
        char *path = xasprintf("%s/%s/spec.json", g->o->assignments, d->found[i].program);
        g->specs[i] = spec_load(path, err, sizeof err);
        free(path);
        if (!g->specs[i]) {
            r->error = xstrdup(err);
            return -1;
        }
        struct program_result *p = &r->programs[i];
        const char *base = strrchr(d->found[i].path, '/');
        p->name = xstrdup(d->found[i].program);
        p->source = xstrdup(base ? base + 1 : d->found[i].path);
        p->nchecks = g->specs[i]->nchecks;
        p->checks = xcalloc(p->nchecks ? p->nchecks : 1, sizeof *p->checks);
        for (size_t k = 0; k < p->nchecks; k++)
            check_result_init(&p->checks[k], &g->specs[i]->checks[k]);
        g->sources[i] = d->found[i].path;
        env_make(&g->envs[i], g->o->seed, d->found[i].program);
        char *bindir = bin_dir(g, d->found[i].program);
        mkdir(bindir, 0755);
        free(bindir);
    }
    return 0;
}

static void make_tasks(struct grading *g)
{
    for (size_t i = 0; i < g->r->nprograms; i++)
        g->ntasks += 1 + g->specs[i]->nchecks;
    g->tasks = xcalloc(g->ntasks ? g->ntasks : 1, sizeof *g->tasks);
    size_t k = 0;
    for (size_t i = 0; i < g->r->nprograms; i++) {
        g->tasks[k++] = (struct task){ .is_build = true, .prog = i, .state = TASK_READY, .fd = -1 };
        for (size_t c = 0; c < g->specs[i]->nchecks; c++)
            g->tasks[k++] = (struct task){ .prog = i, .check = c, .state = TASK_WAITING, .fd = -1 };
    }
}

static void note_discovery(struct run_result *r, const struct discovery *d, char **programs, size_t np)
{
    r->near_misses = xcalloc(d->nnear ? d->nnear : 1, sizeof *r->near_misses);
    for (size_t i = 0; i < d->nnear; i++) {
        const char *base = strrchr(d->near_files[i], '/');
        r->near_misses[i].file = xstrdup(base ? base + 1 : d->near_files[i]);
        r->near_misses[i].program = xstrdup(d->near_programs[i]);
    }
    r->nnear_misses = d->nnear;
    r->missing = xcalloc(np ? np : 1, sizeof *r->missing);
    for (size_t i = 0; i < np; i++) {
        bool found = false;
        for (size_t k = 0; k < d->nfound; k++)
            found |= strcmp(d->found[k].program, programs[i]) == 0;
        if (!found)
            r->missing[r->nmissing++] = xstrdup(programs[i]);
    }
}

int grade_run(const char *const *paths, size_t npaths, const struct grade_options *o,
              struct run_result *r)
{
    struct grading g = { .o = o, .r = r };
    struct discovery d = { 0 };
    char err[UTIL_ERRLEN], **programs = NULL;
    size_t np = 0;
    int64_t t0 = util_now_ms();
    int rc = -1;
    const char *tmp = getenv("TMPDIR");
    r->seed = o->seed;
    r->sandbox = xstrdup(sandbox_mode_name(o->mode));
    g.workroot = xasprintf("%s/sockgrade.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g.workroot)) {
        r->error = xasprintf("cannot create a work folder in %s: %s", tmp ? tmp : "/tmp", strerror(errno));
        goto out;
    }
    if (discover_programs(o->assignments, &programs, &np, err, sizeof err) < 0 ||
        discover(paths, npaths, programs, np, &d, err, sizeof err) < 0) {
        r->error = xstrdup(err);
        goto out;
    }
    note_discovery(r, &d, programs, np);
    if (load_programs(&g, &d) < 0)
        goto out;
    make_tasks(&g);
    while (g.done < g.ntasks)
        pool_step(&g);
    rc = 0;
out:
    result_total(r);
    r->duration_ms = util_now_ms() - t0;
    for (size_t i = 0; i < r->nprograms; i++) {
        spec_free(g.specs[i]);
        env_free(&g.envs[i]);
    }
    free(g.specs);
    free(g.envs);
    free(g.sources);
    free(g.tasks);
    for (size_t i = 0; i < np; i++)
        free(programs[i]);
    free(programs);
    discovery_free(&d);
    nftw(g.workroot, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(g.workroot);
    return rc;
}
