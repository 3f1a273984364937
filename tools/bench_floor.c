/* bench_floor: the floor `make bench` compares `sockgrade check reference/` with (issue 18):
 * for each reference program, one compile (gcc with the grader's build flags, without its
 * sandbox and its 6-line stack-zeroing header) and one memcheck run of it that exits at once
 * (no arguments: a usage message), with the grader's own Valgrind settings inside its own
 * sandbox (check_execute, the grader's code); the programs spread over all cores, PER_CORE
 * pipelines per core at a time (default 1; a pipeline waits now and then, on the cgroup or
 * the disk, so more than one per core can be faster: make bench takes the fastest). Prints
 * the wall time in seconds and the CPU time used, in all and by part (the compiles, the
 * memcheck runs with their sandboxes), e.g.
 * "floor 1.234 s wall 2.345 s cpu 13 programs 0.678 s compile 1.623 s memcheck".
 *
 *     build/tools/bench_floor ASSIGNMENTS REFERENCE_DIR [SEED [PER_CORE]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/check.h"
#include "check/env.h"
#include "grade/build.h"
#include "grade/discover.h"
#include "spec/spec.h"
#include "util/pool.h"
#include "util/util.h"
#include "util/workdir.h"

struct floor {
    int64_t compile_us, memcheck_us; /* the pipelines' CPU, by part */
    char **names;
    size_t n;
    const char *refdir;
    char *work;
    uint64_t seed;
    int failures;
};

/* The spec of one memcheck run that ends by itself, as a memcheck check of the specs is. */
static const char floor_spec[] =
    "{\"schema\": \"sockgrade-spec/1\", \"program\": \"%s\", \"title\": \"floor\","
    " \"timeout_ms\": 4000, \"checks\": [{\"id\": \"floor\", \"description\": \"floor\","
    " \"level\": \"robustness\", \"points\": 0, \"kind\": \"run\", \"memcheck\": true,"
    " \"expect\": [{\"what\": \"ends\"}]}]}";

/* The CPU this process and its waited-for children used so far, in microseconds. */
static int64_t cpu_so_far(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return util_rusage_us(&self) + util_rusage_us(&kids);
}

static int compile(const char *src, const char *out)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/usr/bin/gcc", "gcc", "-std=gnu11", "-O0", "-Wall", "-Wextra", "-g", "-o", out, src,
              "-lm", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    while (pid > 0 && waitpid(pid, &st, 0) < 0)
        ;
    return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* In a pool child: compile the program, then run it once under memcheck in the sandbox; writes
 * "cpu COMPILE_US MEMCHECK_US" to fd, or what went wrong. */
static void pipeline(void *ctx, void *arg, int fd)
{
    struct floor *f = ctx;
    const char *name = arg;
    char err[UTIL_ERRLEN];
    char *dir = xasprintf("%s/%s", f->work, name), *work = xasprintf("%s/w", dir);
    char *src = xasprintf("%s/%s.c", f->refdir, name), *bin = xasprintf("%s/%s", dir, name);
    char *json = xasprintf(floor_spec, name);
    struct spec *sp = spec_parse("floor", json, err, sizeof err);
    struct env e;
    struct check_result r;
    umask(022);
    int64_t t0 = cpu_so_far();
    if (!sp || mkdir(dir, 0755) < 0 || mkdir(work, 0755) < 0 || compile(src, bin) < 0)
        _exit(1);
    int64_t t1 = cpu_so_far();
    env_make(&e, f->seed, name);
    struct check_ctx c = { .spec = sp, .check = &sp->checks[0], .env = &e, .binary = bin,
                           .mode = SANDBOX_NAMESPACES, .workdir = work };
    check_execute(&c, &r);
    if (r.status == STATUS_ERROR)
        dprintf(fd, "%s: %s\n", name, r.actual ? r.actual : "error");
    else
        dprintf(fd, "cpu %lld %lld\n", (long long)(t1 - t0), (long long)(cpu_so_far() - t1));
    _exit(r.status == STATUS_ERROR ? 1 : 0);
}

static void ended(void *ctx, struct pool_job *job)
{
    struct floor *f = ctx;
    long long compile = 0, memcheck = 0;
    if (!job->out.data || sscanf(job->out.data, "cpu %lld %lld", &compile, &memcheck) != 2 ||
        !WIFEXITED(job->status) || WEXITSTATUS(job->status) != 0) {
        fprintf(stderr, "bench_floor: %s failed %s\n", (const char *)job->arg,
                job->out.data ? job->out.data : "");
        f->failures++;
    }
    f->compile_us += compile;
    f->memcheck_us += memcheck;
    strbuf_release(&job->out);
}

int main(int argc, char **argv)
{
    char err[UTIL_ERRLEN], note[256];
    struct floor f = { .refdir = argc > 2 ? argv[2] : NULL };
    if (argc < 3 || discover_programs(argv[1], &f.names, &f.n, err, sizeof err) < 0) {
        fprintf(stderr, "usage: bench_floor ASSIGNMENTS REFERENCE_DIR [SEED [PER_CORE]]\n");
        return 2;
    }
    f.seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    build_probe_tools(note, sizeof note);
    f.work = util_workdir_make("sockgrade-floor", err, sizeof err);
    if (!f.work)
        return 2;
    struct pool pool;
    struct pool_job *jobs = xcalloc(f.n, sizeof *jobs);
    size_t per_core = argc > 4 ? strtoul(argv[4], NULL, 10) : 1;
    size_t next = 0, at_once = (per_core ? per_core : 1) * (size_t)sysconf(_SC_NPROCESSORS_ONLN);
    pool_init(&pool, false, -1);
    int64_t t0 = util_now_ms();
    while (next < f.n || pool.nrunning) {
        while (pool.nrunning < at_once && next < f.n) {
            jobs[next].arg = f.names[next];
            if (pool_start(&pool, &jobs[next++], 60000, pipeline, &f, err, sizeof err) < 0)
                f.failures++;
        }
        pool_wait(&pool, 1000, ended, &f);
    }
    int64_t wall = util_now_ms() - t0, cpu = 0;
    for (size_t i = 0; i < f.n; i++)
        cpu += jobs[i].cpu_us;
    printf("floor %.3f s wall %.3f s cpu %zu programs %.3f s compile %.3f s memcheck\n",
           (double)wall / 1000, (double)cpu / 1e6, f.n, (double)f.compile_us / 1e6,
           (double)f.memcheck_us / 1e6);
    util_tree_remove(f.work);
    return f.failures ? 1 : 0;
}
