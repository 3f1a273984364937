/* grade_int: one grading's state, shared by grade.c (the tasks and their runners),
 * grade_reuse.c (results kept from an earlier run) and grade_stream.c (results told as they
 * come). Private to grade/. */
#ifndef SOCKGRADE_GRADE_INT_H
#define SOCKGRADE_GRADE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "check/env.h"
#include "grade.h"
#include "util/pool.h"

#define GRACE_MS 10000 /* sandbox set-up and judging, on top of a check's own timeout */

enum task_state { TASK_WAITING, TASK_READY, TASK_RUNNING, TASK_DONE };

/* Which of -j's places a running task holds. A build or a run under Valgrind keeps a core busy;
 * an ordinary check mostly waits on its program and peers (about 4 ms of CPU in 15 ms), so
 * such checks have -j places of their own beside those, and the CPU places nothing else
 * holds; a check that waits on purpose (a late peer) holds none. */
enum task_place { PLACE_CPU, PLACE_CHECK, PLACE_NONE, PLACE_KINDS };

struct task {
    bool is_build;
    size_t prog, check;
    enum task_state state;
    bool shown;              /* told to the caller's progress (grade_stream.c) */
    enum task_place place;   /* while running */
    char *workdir;           /* the runner's own folder, while it starts */
    struct pool_job job;     /* its runner */
    /* A check whose run is another's (spec run_of): that check's task, which takes this one
     * along when it starts (the rider then holds no place and starts no runner); if the leader
     * ended without it (skipped), the rider runs alone. NULL for a check with its own run. */
    struct task *leader;
    struct task **riders;    /* while a leader runs: the tasks judged on its run */
    size_t nriders;
};

struct grading {
    const struct grade_options *o;
    struct run_result *r;
    struct spec **specs;
    struct env *envs;
    char **sources;          /* per program: the copy graded (stage.c), else the original */
    char **staged;           /* per program: that copy, owned */
    char *workroot;
    struct pool pool;        /* the runners */
    struct task *tasks;
    size_t ntasks, done, nworkdirs;
    size_t nplace[PLACE_KINDS]; /* running tasks by the place they hold */
    char **keys;             /* per program graded: the cache key of its staged copy, or NULL */
    char *tools;             /* build_tools_identity(), once a key needs it */
    int64_t t0;              /* when the run began (util_now_ms) */
    FILE *trace;             /* $SOCKGRADE_TRACE: one line per task, for profiling; or NULL */
};

/* grade_runner.c: a program's build folder, where its binary lands (the compiler's only
 * writable folder); and the pool's child function: the task's runner (arg is the task). */
char *grade_bin_dir(const struct grading *g, const char *program);
void grade_runner_main(void *grading, void *task, int fd);

/* grade_reuse.c: before anything is staged, a program whose cache key is unchanged takes its
 * kept result (marked reused) and gets no task; once the others are staged, reuse_keys keys
 * each by its staged copy; after grading, every program graded afresh without a grader fault
 * is kept. All do nothing without o->cache. */
void reuse_lookup(struct grading *g);
void reuse_keys(struct grading *g);
void reuse_store(struct grading *g);

/* grade_stream.c: tells o->progress what program prog has that it was not told yet, in the
 * order a student reads it: the build first, then each check once it and the checks it
 * requires are done, the memcheck checks after all others. */
void stream_program(struct grading *g, size_t prog);

/* grade_found.c: the run's near misses and missing programs from what discovery found among
 * programs[np]; the points each missing program offers (-1 with r->error when a spec cannot
 * be read); --programs applied to the list of programs (the others freed). */
struct discovery;
void note_discovery(struct run_result *r, const struct discovery *d, char **programs, size_t np);
int note_missing_points(struct run_result *r, const char *assignments);
void keep_listed(const char *list, char **programs, size_t *np);

/* grade_ports.c: in a runner without namespaces, the check's {port} and {udp_port} become
 * free ports of its own (env e is the runner's copy). */
void fresh_ports(struct env *e, size_t check);

/* grade_trace.c: with SOCKGRADE_TRACE=FILE, each task that ends appends a line to FILE: when
 * it started and ended (monotonic clock, ms), the CPU its runner used (ms), its kind (build,
 * check, memcheck), program and check id. */
void trace_open(struct grading *g);
void trace_task(struct grading *g, const struct task *t, const struct pool_job *job);
void trace_close(struct grading *g);

#endif
