/* pool: child processes run at once, each bounded in time and watched through a pipe. A job's
 * child writes its result (or nothing) on the pipe; the job ends when the pipe closes, which
 * the parent waits for with poll(): no sleeps, no signal handlers. The one pool of the grader:
 * grade.c runs its build and check runners in it, batch.c its students' workers. */
#ifndef SOCKGRADE_POOL_H
#define SOCKGRADE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct pool_job {
    void *arg;             /* the caller's: passed to the child and back with the end */
    pid_t pid;             /* the child while it runs, else 0 */
    int fd;                /* the read end of its pipe while it runs, else -1 */
    struct strbuf out;     /* everything the child wrote on its pipe (the caller releases it) */
    int64_t started;       /* util_now_ms() when it started */
    int64_t deadline;      /* it is killed when it runs past this */
    bool overran;          /* it was killed at its deadline */
    int status;            /* its wait status, once it ended */
    int64_t cpu_us;        /* the CPU time it and its waited-for children used, once it ended */
};

struct pool {
    struct pool_job **running; /* in the order they started */
    size_t nrunning, cap;
    bool own_groups;       /* each child leads a process group, killed as a whole */
    int stop_fd;           /* ends a wait when readable (e.g. a signalfd), or -1 */
    pid_t parent;
};

/* The child's work: its result, if any, goes to fd. It may _exit itself; when it returns, the
 * child exits with status 0. */
typedef void pool_child_fn(void *ctx, void *arg, int fd);
/* Told of a job that ended (reaped: status and out are final). */
typedef void pool_end_fn(void *ctx, struct pool_job *job);

void pool_init(struct pool *p, bool own_groups, int stop_fd);
/* Forks a child that runs child(ctx, job->arg, fd) with the death of this process as its own
 * (PR_SET_PDEATHSIG), bounded by bound_ms. 0, or -1 with err filled (no pipe, no process). */
int pool_start(struct pool *p, struct pool_job *job, int64_t bound_ms, pool_child_fn *child,
               void *ctx, char *err, size_t errlen);
/* Waits until jobs end, stop_fd is readable, or wait_ms passed; kills the jobs past their
 * deadline and tells on_end(ctx, job) of each job that ended. Returns 1 when stop_fd is
 * readable (the caller reads it), else 0. */
int pool_wait(struct pool *p, int64_t wait_ms, pool_end_fn *on_end, void *ctx);
/* Kills and reaps every running job; on_end is not called for them. */
void pool_stop(struct pool *p);
void pool_free(struct pool *p);

#endif
