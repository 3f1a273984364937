/* pool: forks, watches and reaps the grader's child processes. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

void pool_init(struct pool *p, bool own_groups, int stop_fd)
{
    memset(p, 0, sizeof *p);
    p->own_groups = own_groups;
    p->stop_fd = stop_fd;
    p->parent = getpid();
}

static _Noreturn void child_main(struct pool *p, pool_child_fn *child, void *ctx, void *arg,
                                 int fd)
{
    /* The parent's death ends its children (and theirs, which do the same), so an
     * interrupted grader leaves no grading behind; one that died before this line is seen. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != p->parent)
        _exit(3);
    if (p->own_groups)
        setpgid(0, 0);
    child(ctx, arg, fd);
    _exit(0);
}

int pool_start(struct pool *p, struct pool_job *job, int64_t bound_ms, pool_child_fn *child,
               void *ctx, char *err, size_t errlen)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return util_err(err, errlen, "pipe: %s", strerror(errno));
    fflush(NULL); /* else the child would write the parent's buffered output again */
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_main(p, child, ctx, job->arg, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        int saved = errno;
        close(fds[0]);
        return util_err(err, errlen, "fork: %s", strerror(saved));
    }
    if (p->own_groups)
        setpgid(pid, pid); /* also here, so a kill right after fork finds the group */
    job->pid = pid;
    job->fd = fds[0];
    strbuf_init(&job->out);
    job->started = util_now_ms();
    job->deadline = job->started + bound_ms;
    job->overran = false;
    job->status = 0;
    if (p->nrunning == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->running = xrealloc(p->running, p->cap * sizeof *p->running);
    }
    p->running[p->nrunning++] = job;
    return 0;
}

static void job_kill(const struct pool *p, const struct pool_job *job)
{
    if (p->own_groups)
        kill(-job->pid, SIGKILL);
    kill(job->pid, SIGKILL);
}

/* Its pipe closed: the child is gone or going, so the wait is short. */
static void job_reap(struct pool *p, size_t i)
{
    struct pool_job *job = p->running[i];
    close(job->fd);
    job->fd = -1;
    struct rusage ru = { 0 };
    while (wait4(job->pid, &job->status, 0, &ru) < 0 && errno == EINTR)
        ;
    job->cpu_us = util_rusage_us(&ru);
    job->pid = 0;
    p->nrunning--;
    memmove(&p->running[i], &p->running[i + 1], (p->nrunning - i) * sizeof *p->running);
}

/* Kills the jobs past their deadline (their pipes then close); returns how long to wait. */
static int64_t enforce_deadlines(struct pool *p, int64_t wait_ms)
{
    int64_t now = util_now_ms();
    for (size_t i = 0; i < p->nrunning; i++) {
        struct pool_job *job = p->running[i];
        if (job->overran)
            continue;
        if (job->deadline <= now) {
            job->overran = true;
            job_kill(p, job);
        } else if (job->deadline - now < wait_ms) {
            wait_ms = job->deadline - now;
        }
    }
    return wait_ms < 0 ? 0 : wait_ms;
}

/* Reads what is there; returns whether the pipe closed (or failed: the end all the same). */
static bool job_read(struct pool_job *job)
{
    char buf[8192];
    ssize_t n = read(job->fd, buf, sizeof buf);
    if (n > 0)
        strbuf_add(&job->out, buf, (size_t)n);
    return n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
}

int pool_wait(struct pool *p, int64_t wait_ms, pool_end_fn *on_end, void *ctx)
{
    size_t n = p->nrunning, nfds = n + (p->stop_fd >= 0);
    struct pollfd *pf = xcalloc(nfds ? nfds : 1, sizeof *pf);
    struct pool_job **who = xcalloc(n ? n : 1, sizeof *who);
    int stopped = 0;
    wait_ms = enforce_deadlines(p, wait_ms);
    for (size_t i = 0; i < n; i++) {
        who[i] = p->running[i];
        pf[i] = (struct pollfd){ who[i]->fd, POLLIN, 0 };
    }
    if (p->stop_fd >= 0)
        pf[n] = (struct pollfd){ p->stop_fd, POLLIN, 0 };
    if (poll(pf, nfds, (int)(wait_ms > INT_MAX ? INT_MAX : wait_ms)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!pf[i].revents || !job_read(who[i]))
                continue;
            size_t k = 0;
            while (p->running[k] != who[i])
                k++;
            job_reap(p, k);
            on_end(ctx, who[i]);
        }
        stopped = p->stop_fd >= 0 && pf[n].revents != 0;
    }
    free(pf);
    free(who);
    return stopped;
}

void pool_stop(struct pool *p)
{
    for (size_t i = 0; i < p->nrunning; i++)
        job_kill(p, p->running[i]);
    while (p->nrunning)
        job_reap(p, p->nrunning - 1);
}

void pool_free(struct pool *p)
{
    free(p->running);
    p->running = NULL;
    p->nrunning = p->cap = 0;
}
