/* build: the compiler step. Flags are fixed so every student is built alike, and each program
 * is built once: the binary the checks run is also the one Valgrind runs. It has debug info
 * (-g) so Memcheck names lines, and no -ftrivial-auto-var-init=zero, which would define every
 * local and hide the uninitialised reads Memcheck must see. Instead main is entered through a
 * wrapper (-Wl,--wrap=main, the wrapper added to the program's own translation unit with
 * -include) that first zeroes the stack below it, where main's frame will be: main's locals
 * start at zero on every run, so the textbook's port_number, whose addrlen is never set,
 * reliably prints port 0. Memcheck is not fooled by it: it marks each new stack frame undefined
 * whatever the bytes hold. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

#define BUILD_CC "/usr/bin/gcc"
#define BUILD_FLAGS "-std=gnu11", "-O0", "-Wall", "-Wextra", "-g"
#define BUILD_VALGRIND_EXE "/usr/bin/valgrind"
/* Included before the program's first line. libc calls __wrap_main where it would call main,
 * at main's depth, so the zeroed area is exactly where main's frame and its callees' first
 * frames will be. It includes no header, so the program's own #includes (and the warnings a
 * missing one gives) are as the student wrote them; its names are reserved to the
 * implementation, so they cannot meet a student's. Memcheck's stack traces end at main, so
 * they never show the wrapper. */
#define BUILD_ZERO_FILE ".sockgrade_zero_stack.h"
static const char zero_stack_source[] =
    "/* added by sockgrade: main's locals start at zero (docs/design.md) */\n"
    "int __real_main(int, char **, char **);\n"
    "int __wrap_main(int, char **, char **);\n"
    "__attribute__((noinline, used)) static void __sockgrade_zero_stack(void)\n"
    "{\n"
    "    volatile char pad[256 * 1024];\n"
    "    __builtin_memset((char *)pad, 0, sizeof pad);\n"
    "}\n"
    "int __wrap_main(int argc, char **argv, char **envp)\n"
    "{\n"
    "    __sockgrade_zero_stack();\n"
    "    return __real_main(argc, argv, envp);\n"
    "}\n";

static struct {
    bool valgrind;    /* memcheck checks can run */
} tools = { .valgrind = true };

int build_probe_tools(char *note, size_t len)
{
    note[0] = '\0';
    if (access(BUILD_CC, X_OK) < 0) {
        snprintf(note, len, "%s is not installed: every build will fail (install gcc)", BUILD_CC);
        return -1;
    }
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
    strbuf_addf(&sb, "valgrind %d", tools.valgrind);
    tool_identity(&sb, BUILD_CC);
    tool_identity(&sb, BUILD_VALGRIND_EXE);
    return strbuf_detach(&sb);
}

/* Writes the stack-zeroing wrapper of main beside the binary: its host path, or NULL with err.
 * A scratch file of the grader's own work folder: no fsync, nothing to keep. */
static char *zero_stack_file(const struct build_request *req, char *err, size_t len)
{
    char *host = xasprintf("%s/%s", req->outdir, BUILD_ZERO_FILE);
    int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0 && util_write_all(fd, zero_stack_source, strlen(zero_stack_source)) == 0 &&
        close(fd) == 0)
        return host;
    util_err(err, len, "build: write %s: %s", host, strerror(errno));
    if (fd >= 0)
        close(fd);
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
    char *out_host = xasprintf("%s/%s", req->outdir, req->program);
    char *inc = sandbox_path(sb, srcdir);
    v->src = sandbox_path(sb, req->source);
    v->include = inc ? xasprintf("-I%s", inc) : NULL;
    v->out = sandbox_path(sb, out_host);
    v->zero = sandbox_path(sb, zero_host);
    v->cwd = sandbox_path(sb, req->outdir);
    free(inc);
    free(out_host);
    if (!v->src || !v->include || !v->out || !v->zero || !v->cwd)
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

/* After BUILD_CC and BUILD_FLAGS (argv[0..5]): the zeroing wrapper of main, the paths, libm.
 * argv has room for 16 and ends with NULL. */
static void build_argv(const char **argv, const struct build_view *v)
{
    size_t na = 6;
    argv[na++] = "-include";
    argv[na++] = v->zero;
    argv[na++] = "-Wl,--wrap=main";
    argv[na++] = v->include;
    argv[na++] = "-o";
    argv[na++] = v->out;
    argv[na++] = v->src;
    argv[na++] = "-lm";
    argv[na] = NULL;
}

/* The compiler's job: the command line after argv's first six (also kept for the report) and
 * its limits. */
static void build_job(struct sandbox_job *job, const char **argv, const struct build_view *v,
                      struct build_result *out)
{
    static const char *const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
    struct strbuf cmd;
    build_argv(argv, v);
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
    const char *argv[16] = { BUILD_CC, BUILD_FLAGS };
    struct sandbox_job job;
    struct sandbox_outcome o = { 0 };
    int64_t t0 = util_now_ms();

    memset(out, 0, sizeof *out);
    if (err[0] || !(sb = sandbox_enter(req->mode, &cfg, err, sizeof err)) ||
        build_view_make(sb, req, srcdir, zero_host, &view, err, sizeof err) < 0)
        goto error;
    build_job(&job, argv, &view, out);
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
