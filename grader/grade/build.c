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
#include <sys/stat.h>
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

static void tool_identity(struct strbuf *sb, const char *path);

/* The compiler's answer about BUILD_NATIVE, kept in memo with the compiler's identity: asking
 * it costs a compiler run (10-40 ms), on every re-check otherwise. A memo that does not match
 * the compiler found now, or cannot be read, is asked again and rewritten. */
static bool compiler_takes_kept(const char *memo)
{
    struct strbuf want;
    strbuf_init(&want);
    strbuf_addstr(&want, BUILD_NATIVE);
    tool_identity(&want, BUILD_CC);
    char *kept = memo ? util_read_file_max(memo, 4096, NULL, NULL, 0) : NULL;
    size_t n = want.len;
    bool takes;
    if (kept && strncmp(kept, want.data, n) == 0 && (!strcmp(kept + n, " 1\n") || !strcmp(kept + n, " 0\n"))) {
        takes = kept[n + 1] == '1';
    } else {
        takes = compiler_takes(BUILD_NATIVE);
        strbuf_addstr(&want, takes ? " 1\n" : " 0\n");
        if (memo)
            util_write_file_atomic(memo, want.data, want.len, NULL, 0); /* best effort */
    }
    free(kept);
    strbuf_release(&want);
    return takes;
}

int build_probe_tools(char *note, size_t len)
{
    return build_probe_tools_kept(NULL, note, len);
}

int build_probe_tools_kept(const char *memo, char *note, size_t len)
{
    note[0] = '\0';
    tools.probed = true;
    if (access(BUILD_CC, X_OK) < 0) {
        snprintf(note, len, "%s is not installed: every build will fail (install gcc)", BUILD_CC);
        return -1;
    }
    tools.zero_flag = compiler_takes_kept(memo);
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

/* A file by what the package manager changes when it replaces it. */
static void tool_identity(struct strbuf *sb, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        strbuf_addf(sb, " %s none", path);
        return;
    }
    strbuf_addf(sb, " %s %llu:%llu:%lld:%lld.%09ld", path, (unsigned long long)st.st_dev,
                (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                st.st_mtim.tv_nsec);
}

char *build_tools_identity(void)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "zero-flag %d valgrind %d", tools.zero_flag, tools.valgrind);
    tool_identity(&sb, BUILD_CC);
    tool_identity(&sb, BUILD_VALGRIND_EXE);
    return strbuf_detach(&sb);
}

/* Writes the stack-zeroing constructor beside the binary: its host path, or NULL when the flag
 * does it (or with err when it cannot be written). */
static char *zero_stack_file(const struct build_request *req, char *err, size_t len)
{
    if (tools.zero_flag || req->valgrind_copy)
        return NULL;
    char *host = xasprintf("%s/%s", req->outdir, BUILD_ZERO_FILE);
    if (util_write_file_atomic(host, zero_stack_source, strlen(zero_stack_source), err, len) == 0)
        return host;
    free(host);
    return NULL;
}

/* The build's files as the compiler sees them in its sandbox. */
struct build_view {
    char *src, *include, *out, *zero, *cwd;
};

static int build_view_make(const struct sandbox *sb, const struct build_request *req,
                           const char *srcdir, const char *zero_host, struct build_view *v,
                           char *err, size_t len)
{
    const char *suffix = req->valgrind_copy ? ".vg" : "";
    char *out_host = xasprintf("%s/%s%s", req->outdir, req->program, suffix);
    char *inc = sandbox_path(sb, srcdir);
    v->src = sandbox_path(sb, req->source);
    v->include = inc ? xasprintf("-I%s", inc) : NULL;
    v->out = sandbox_path(sb, out_host);
    v->zero = zero_host ? sandbox_path(sb, zero_host) : NULL;
    v->cwd = sandbox_path(sb, req->outdir);
    free(inc);
    free(out_host);
    if (!v->src || !v->include || !v->out || (zero_host && !v->zero) || !v->cwd)
        return util_err(err, len, "sandbox: a file of the build is not bound in");
    return 0;
}

static void build_view_free(struct build_view *v)
{
    free(v->src);
    free(v->include);
    free(v->out);
    free(v->zero);
    free(v->cwd);
}

/* After BUILD_CC and BUILD_FLAGS (argv[0..4]): the kind's flag, the paths, the zeroing file
 * where the compiler lacks the flag, libm. argv has room for 12 and ends with NULL. */
static void build_argv(const char **argv, const struct build_request *req,
                       const struct build_view *v)
{
    const char *kind_flag = req->valgrind_copy ? BUILD_VALGRIND : tools.zero_flag ? BUILD_NATIVE : NULL;
    size_t na = 5;
    if (kind_flag)
        argv[na++] = kind_flag;
    argv[na++] = v->include;
    argv[na++] = "-o";
    argv[na++] = v->out;
    argv[na++] = v->src;
    if (v->zero)
        argv[na++] = v->zero;
    argv[na++] = "-lm";
    argv[na] = NULL;
}

/* The compiler's job: the command line after argv's first five (also kept for the report) and
 * its limits. */
static void build_job(struct sandbox_job *job, const char **argv, const struct build_request *req,
                      const struct build_view *v, struct build_result *out)
{
    static const char *const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
    struct strbuf cmd;
    build_argv(argv, req, v);
    strbuf_init(&cmd);
    strbuf_addstr(&cmd, "gcc");
    for (size_t i = 1; argv[i]; i++)
        strbuf_addf(&cmd, " %s", argv[i]);
    out->command = strbuf_detach(&cmd);
    memset(job, 0, sizeof *job);
    job->argv = argv;
    job->envp = envp;
    job->cwd = v->cwd;
    sandbox_limits_default(&job->limits);
    job->limits.timeout_ms = 30000;
    job->limits.cpu_seconds = 30;
    /* cc1 needs under 150 MiB for any lecture program; the run's cgroup allows 512 MiB, and
     * without a cgroup (an unprivileged grader) this is the bound a cpp bomb meets. */
    job->limits.memory_bytes = (uint64_t)512 << 20;
    job->limits.processes = 16;
    job->limits.file_bytes = (uint64_t)64 << 20;
    job->limits.output_cap = 16 << 10;
}

static void build_judge(const struct sandbox_job *job, const struct sandbox_outcome *o,
                        struct build_result *out)
{
    struct strbuf diag;
    strbuf_init(&diag);
    strbuf_add(&diag, o->out, o->out_len);
    strbuf_add(&diag, o->err, o->err_len);
    if (o->end == END_TIMEOUT)
        strbuf_addf(&diag, "\nthe compiler was stopped after %d ms", job->limits.timeout_ms);
    else if (o->end == END_SIGNALED)
        strbuf_addf(&diag, "\nthe compiler was killed by signal %d (a limit was hit)", o->signal);
    out->status = (o->end == END_EXITED && o->code == 0) ? BUILD_OK : BUILD_FAILED;
    out->diagnostics = result_text(diag.data ? diag.data : "", diag.len, RESULT_TEXT_CAP * 4);
    strbuf_release(&diag);
}

void build_execute(const struct build_request *req, struct build_result *out)
{
    char err[UTIL_ERRLEN] = "";
    char *srcdir_copy = xstrdup(req->source);
    const char *srcdir = dirname(srcdir_copy);
    char *zero_host = zero_stack_file(req, err, sizeof err);
    struct sandbox_bind binds[] = { { .host = srcdir, .inside = "/src", .writable = false },
                                    { .host = req->outdir, .inside = "/out", .writable = true } };
    struct sandbox_config cfg = { .workdir = req->workdir, .binds = binds, .nbinds = 2,
                                  .tmp_bytes = (size_t)128 << 20, .starts = 1 };
    struct sandbox *sb = NULL;
    struct build_view view = { 0 };
    const char *argv[12] = { BUILD_CC, BUILD_FLAGS };
    struct sandbox_job job;
    struct sandbox_outcome o = { 0 };
    int64_t t0 = util_now_ms();

    memset(out, 0, sizeof *out);
    if (err[0] || !(sb = sandbox_enter(req->mode, &cfg, err, sizeof err)) ||
        build_view_make(sb, req, srcdir, zero_host, &view, err, sizeof err) < 0)
        goto error;
    build_job(&job, argv, req, &view, out);
    if (sandbox_run(sb, &job, &o, err, sizeof err) < 0)
        goto error;
    build_judge(&job, &o, out);
    goto out;
error:
    out->status = BUILD_ERROR;
    out->diagnostics = xstrdup(err);
out:
    out->duration_ms = util_now_ms() - t0;
    sandbox_outcome_free(&o);
    sandbox_free(sb);
    build_view_free(&view);
    free(srcdir_copy);
    free(zero_host);
}
