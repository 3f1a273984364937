/* build: the compiler step. Flags are fixed so every student is built alike:
 * -ftrivial-auto-var-init=zero makes an uninitialised variable behave the same on every run
 * (the textbook's port_number, whose addrlen is never set, reliably prints port 0), so a
 * verdict never depends on stack garbage. */
#include "build.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BUILD_CC "/usr/bin/gcc"
#define BUILD_FLAGS "-std=gnu11", "-O0", "-Wall", "-Wextra"
/* The graded binary: zero-initialised locals, no debug info (nothing reads it). */
#define BUILD_NATIVE "-ftrivial-auto-var-init=zero"
/* The Valgrind copy keeps stack garbage visible to memcheck and line numbers for its report. */
#define BUILD_VALGRIND "-g"

void build_execute(const struct build_request *req, struct build_result *out)
{
    char err[UTIL_ERRLEN] = "";
    char *srcdir_copy = xstrdup(req->source), *base_copy = xstrdup(req->source);
    const char *srcdir = dirname(srcdir_copy), *base = basename(base_copy);
    bool none = req->mode == SANDBOX_NONE; /* nothing mounted: use the host's paths */
    char *src_inside = none ? xstrdup(req->source) : xasprintf("/src/%s", base);
    const char *suffix = req->valgrind_copy ? ".vg" : "";
    char *out_inside = none ? xasprintf("%s/%s%s", req->outdir, req->program, suffix)
                            : xasprintf("/out/%s%s", req->program, suffix);
    char *include = xasprintf("-I%s", none ? srcdir : "/src");
    const char *argv[] = { BUILD_CC, BUILD_FLAGS, req->valgrind_copy ? BUILD_VALGRIND : BUILD_NATIVE,
                           include, "-o", out_inside, src_inside, "-lm", NULL };
    const char *envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
    struct sandbox_bind binds[] = { { srcdir, "/src", false }, { req->outdir, "/out", true } };
    struct sandbox_config cfg = { req->workdir, NULL, 0, binds, 2, 0, 0, (size_t)128 << 20, 1 };
    struct sandbox_job job = { 0 };
    struct sandbox_outcome o = { 0 };
    struct strbuf cmd;
    int64_t t0 = util_now_ms();

    memset(out, 0, sizeof *out);
    strbuf_init(&cmd);
    strbuf_addstr(&cmd, "gcc");
    for (size_t i = 1; argv[i]; i++)
        strbuf_addf(&cmd, " %s", argv[i]);
    out->command = strbuf_detach(&cmd);
    job.argv = argv;
    job.envp = envp;
    job.cwd = none ? req->outdir : "/out";
    sandbox_limits_default(&job.limits);
    job.limits.timeout_ms = 30000;
    job.limits.cpu_seconds = 30;
    /* cc1 needs under 150 MiB for any lecture program; the run's cgroup allows 512 MiB, and
     * without a cgroup (an unprivileged grader) this is the bound a cpp bomb meets. */
    job.limits.memory_bytes = (uint64_t)512 << 20;
    job.limits.processes = 16;
    job.limits.file_bytes = (uint64_t)64 << 20;
    job.limits.output_cap = 16 << 10;
    if (sandbox_enter(req->mode, &cfg, err, sizeof err) < 0 || sandbox_run(&job, &o, err, sizeof err) < 0) {
        out->status = BUILD_ERROR;
        out->diagnostics = xstrdup(err);
        goto out;
    }
    struct strbuf diag;
    strbuf_init(&diag);
    strbuf_add(&diag, o.out, o.out_len);
    strbuf_add(&diag, o.err, o.err_len);
    if (o.end == END_TIMEOUT)
        strbuf_addf(&diag, "\nthe compiler was stopped after %d ms", job.limits.timeout_ms);
    else if (o.end == END_SIGNALED)
        strbuf_addf(&diag, "\nthe compiler was killed by signal %d (a limit was hit)", o.signal);
    out->status = (o.end == END_EXITED && o.code == 0) ? BUILD_OK : BUILD_FAILED;
    out->diagnostics = result_text(diag.data ? diag.data : "", diag.len, RESULT_TEXT_CAP * 4);
    strbuf_release(&diag);
out:
    out->duration_ms = util_now_ms() - t0;
    sandbox_outcome_free(&o);
    free(srcdir_copy);
    free(base_copy);
    free(src_inside);
    free(out_inside);
    free(include);
}
