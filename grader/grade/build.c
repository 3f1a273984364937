/* build: the compiler step. Flags are fixed so every student is built alike:
 * -ftrivial-auto-var-init=zero makes an uninitialised variable behave the same on every run
 * (the textbook's port_number, whose addrlen is never set, reliably prints port 0), so a
 * verdict never depends on stack garbage. GCC 11 lacks that flag: build_probe_tools() finds
 * out once, and such a compiler gets a constructor that zeroes the stack main() will use
 * instead, which keeps main's locals (where the lecture programs keep theirs) at zero. */
#include "build.h"

#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

#define BUILD_CC "/usr/bin/gcc"
#define BUILD_FLAGS "-std=gnu11", "-O0", "-Wall", "-Wextra"
/* The graded binary: zero-initialised locals, no debug info (nothing reads it). */
#define BUILD_NATIVE "-ftrivial-auto-var-init=zero"
/* The Valgrind copy keeps stack garbage visible to memcheck and line numbers for its report. */
#define BUILD_VALGRIND "-g"
#define BUILD_VALGRIND_EXE "/usr/bin/valgrind"
/* Linked into the graded binary where the compiler lacks the flag. It runs before main from
 * the same depth of __libc_start_main, so the zeroed area is where main's frame will be. */
#define BUILD_ZERO_FILE ".sockgrade_zero_stack.c"
static const char zero_stack_source[] =
    "/* added by sockgrade: this compiler lacks -ftrivial-auto-var-init=zero */\n"
    "#include <string.h>\n"
    "__attribute__((constructor, used)) static void sockgrade_zero_stack(void)\n"
    "{\n"
    "    volatile char pad[256 * 1024];\n"
    "    memset((char *)pad, 0, sizeof pad);\n"
    "}\n";

static struct {
    bool probed;
    bool zero_flag;   /* the compiler takes -ftrivial-auto-var-init=zero */
    bool valgrind;    /* memcheck checks can run */
} tools = { .probed = false, .zero_flag = true, .valgrind = true };

/* Runs the compiler on an empty file with the flag: exit status 0 means it takes it. */
static bool compiler_takes(const char *flag)
{
    char *const argv[] = { (char *)BUILD_CC, (char *)flag, "-x", "c", "-c", "-o", "/dev/null",
                           "/dev/null", NULL };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, BUILD_CC, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return false;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int build_probe_tools(char *note, size_t len)
{
    note[0] = '\0';
    tools.probed = true;
    if (access(BUILD_CC, X_OK) < 0) {
        snprintf(note, len, "%s is not installed: every build will fail (install gcc)", BUILD_CC);
        return -1;
    }
    tools.zero_flag = compiler_takes(BUILD_NATIVE);
    tools.valgrind = access(BUILD_VALGRIND_EXE, X_OK) == 0;
    if (!tools.valgrind)
        snprintf(note, len, "%s is not installed: the memcheck checks are skipped and not "
                 "counted (install valgrind to run them)", BUILD_VALGRIND_EXE);
    return 0;
}

bool build_have_valgrind(void)
{
    return tools.valgrind;
}

/* Writes the stack-zeroing constructor beside the binary; NULL when the flag does it. */
static char *zero_stack_file(const struct build_request *req, bool none, char *err, size_t len)
{
    if (tools.zero_flag || req->valgrind_copy)
        return NULL;
    char *host = xasprintf("%s/%s", req->outdir, BUILD_ZERO_FILE);
    int rc = util_write_file_atomic(host, zero_stack_source, strlen(zero_stack_source), err, len);
    free(host);
    if (rc < 0)
        return NULL;
    return none ? xasprintf("%s/%s", req->outdir, BUILD_ZERO_FILE) : xasprintf("/out/%s", BUILD_ZERO_FILE);
}

/* After BUILD_CC and BUILD_FLAGS (argv[0..4]): the kind's flag, the paths, the zeroing file
 * where the compiler lacks the flag, libm. argv has room for 12 and ends with NULL. */
static void build_argv(const char **argv, const struct build_request *req, const char *include,
                       const char *out_inside, const char *src_inside, const char *zero_src)
{
    const char *kind_flag = req->valgrind_copy ? BUILD_VALGRIND : tools.zero_flag ? BUILD_NATIVE : NULL;
    size_t na = 5;
    if (kind_flag)
        argv[na++] = kind_flag;
    argv[na++] = include;
    argv[na++] = "-o";
    argv[na++] = out_inside;
    argv[na++] = src_inside;
    if (zero_src)
        argv[na++] = zero_src;
    argv[na++] = "-lm";
    argv[na] = NULL;
}

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
    char *zero_src = zero_stack_file(req, none, err, sizeof err);
    const char *argv[12] = { BUILD_CC, BUILD_FLAGS };
    build_argv(argv, req, include, out_inside, src_inside, zero_src);
    const char *envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
    struct sandbox_bind binds[] = { { .host = srcdir, .inside = "/src", .writable = false },
                                    { .host = req->outdir, .inside = "/out", .writable = true } };
    struct sandbox_config cfg = { .workdir = req->workdir, .binds = binds, .nbinds = 2,
                                  .tmp_bytes = (size_t)128 << 20, .starts = 1 };
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
    if (err[0] || sandbox_enter(req->mode, &cfg, err, sizeof err) < 0 ||
        sandbox_run(&job, &o, err, sizeof err) < 0) {
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
    free(zero_src);
}
