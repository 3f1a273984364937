/* grade_runner: what a runner does in its own process (grade_int.h): the build or the check
 * (with the checks that ride on its run), and its result written to the pipe. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "check/check.h"
#include "grade_int.h"
#include "grade_wire.h"
#include "util/util.h"

/* Where a program's build lands: the compiler's only writable folder, one per program. */
char *grade_bin_dir(const struct grading *g, const char *program)
{
    return xasprintf("%s/bin-%s", g->workroot, program);
}

static char *binary_path(const struct grading *g, size_t prog)
{
    char *dir = grade_bin_dir(g, g->specs[prog]->program);
    char *path = xasprintf("%s/%s", dir, g->specs[prog]->program);
    free(dir);
    return path;
}

static char *runner_build(struct grading *g, const struct task *t, const char *fault)
{
    struct build_result b = { BUILD_ERROR, NULL, NULL, 0 };
    char *outdir = grade_bin_dir(g, g->specs[t->prog]->program), *json;
    struct build_request req = { .source = g->sources[t->prog],
                                 .program = g->specs[t->prog]->program, .outdir = outdir,
                                 .workdir = t->workdir, .mode = g->o->mode };
    if (fault)
        b.diagnostics = xstrdup(fault);
    else
        build_execute(&req, &b);
    json = wire_build_encode(&b);
    free(b.command);
    free(b.diagnostics);
    free(outdir);
    return json;
}

/* Adds to out the check's result and those of the riders judged on its run: one document
 * each, a NUL after each. */
static void runner_check(struct grading *g, const struct task *t, const char *fault,
                         struct strbuf *out)
{
    const struct spec *sp = g->specs[t->prog];
    size_t n = 1 + t->nriders;
    struct check_result *c = xcalloc(n, sizeof *c);
    const struct spec_check **also = xcalloc(n, sizeof *also);
    char *bin = binary_path(g, t->prog);
    for (size_t i = 0; i < t->nriders; i++)
        also[i] = &sp->checks[t->riders[i]->check];
    struct check_ctx ctx = { .spec = sp, .check = &sp->checks[t->check],
                             .env = &g->envs[t->prog], .binary = bin, .mode = g->o->mode,
                             .workdir = t->workdir, .also = also, .nalso = t->nriders };
    if (fault) {
        for (size_t i = 0; i < n; i++) {
            check_result_init(&c[i], i ? also[i - 1] : ctx.check);
            c[i].actual = xstrdup(fault);
        }
    } else {
        if (!sandbox_mode_own_loopback(g->o->mode))
            fresh_ports(&g->envs[t->prog], t->check);
        check_execute(&ctx, c);
    }
    for (size_t i = 0; i < n; i++) {
        char *json = wire_check_encode(&c[i]);
        strbuf_add(out, json, strlen(json) + 1);
        free(json);
        result_check_free(&c[i]);
    }
    free(c);
    free(also);
    free(bin);
}

/* In the runner: do the task, print its result to fd. */
void grade_runner_main(void *grading, void *task, int fd)
{
    struct grading *g = grading;
    struct task *t = task;
    char *fault = NULL;
    struct strbuf out;
    sigset_t stopping;
    /* What a runner makes (the compiled program, the run's files) is for the sandbox's other
     * uid to read and run, whatever umask the caller grades with (077 in many CI images). */
    umask(022);
    sigemptyset(&stopping);
    sigaddset(&stopping, SIGINT);
    sigaddset(&stopping, SIGTERM);
    sigaddset(&stopping, SIGHUP);
    /* A grader that takes these from a signalfd (watch mode) blocks them; the programs it runs
     * must get them as anyone would. */
    sigprocmask(SIG_UNBLOCK, &stopping, NULL);
    if (mkdir(t->workdir, 0755) < 0 && /* a grader fault: the task's status error says so */
        (errno != EEXIST || !sandbox_mode_shares_workdir(g->o->mode)))
        fault = xasprintf("the grader could not start a runner: cannot create %s: %s",
                          t->workdir, strerror(errno));
    strbuf_init(&out);
    if (t->is_build) {
        char *json = runner_build(g, t, fault);
        strbuf_addstr(&out, json);
        free(json);
    } else {
        runner_check(g, t, fault, &out);
    }
    util_write_all(fd, out.data, out.len);
    strbuf_release(&out);
    free(fault);
}
