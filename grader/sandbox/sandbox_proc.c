/* sandbox_proc: starts a program inside the prepared sandbox and ends it. The runner forks an
 * init for a new pid namespace; init enters the minimal root, mounts a fresh /proc, forks the
 * program into a nested user namespace as uid 1000 without capabilities, reports its wait
 * status and exits, which makes the kernel kill everything left in the namespace. */
#include "sandbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "proctree.h"
#include "util/util.h"

#define PIDS_SLACK 8 /* tasks the run's cgroup allows beyond RLIMIT_NPROC: init, threads */

struct sandbox_proc {
    const struct sandbox *sb;
    pid_t init;              /* init of the pid namespace (or the program itself, mode none) */
    int status_fd;           /* init writes the program's wait status here */
    int out_fd, err_fd;      /* the program's stdout and stderr */
    pthread_t collector;
    int collector_started;
    struct strbuf out, err;
    size_t cap;
    bool out_trunc, err_trunc;
    int ended;
    int wstatus;
    int64_t start_ms, deadline_ms;
    struct cgroup_run *cg;   /* the run's memory group, or NULL: rlimits only */
};

void sandbox_limits_default(struct sandbox_limits *l)
{
    l->timeout_ms = 2000;
    l->cpu_seconds = 5;
    l->memory_bytes = (uint64_t)512 << 20;
    l->run_memory_bytes = (uint64_t)512 << 20; /* the whole run may hold what one process may */
    l->processes = 32;
    l->file_bytes = (uint64_t)16 << 20;
    l->nofile_soft = 256;
    l->nofile_hard = 256;
    l->output_cap = 64 << 10;
}

const char *sandbox_end_name(enum sandbox_end e)
{
    static const char *const names[] = { "exited", "signaled", "timeout", "stopped", "failed" };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}


static int make_stdin(const struct sandbox_job *job, char *err, size_t errlen)
{
    int fd = memfd_create("stdin", MFD_CLOEXEC);
    if (fd < 0)
        return util_err(err, errlen, "sandbox: stdin: %s", strerror(errno));
    if ((job->stdin_len && util_write_all(fd, job->stdin_data, job->stdin_len) < 0) ||
        lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return util_err(err, errlen, "sandbox: stdin: %s", strerror(errno));
    }
    return fd;
}

static void collect_chunk(struct sandbox_proc *p, int *fd, struct strbuf *sb, bool *trunc)
{
    char buf[16384];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    size_t keep = (size_t)n;
    if (sb->len + keep > p->cap) {
        keep = p->cap > sb->len ? p->cap - sb->len : 0;
        *trunc = true;
    }
    strbuf_add(sb, buf, keep);
}

/* Drains stdout and stderr until every writer is gone, keeping up to the cap of each and
 * discarding the rest, so a flooding program never blocks on a full pipe. */
static void *collector_main(void *arg)
{
    struct sandbox_proc *p = arg;
    while (p->out_fd >= 0 || p->err_fd >= 0) {
        struct pollfd pf[2] = { { p->out_fd, POLLIN, 0 }, { p->err_fd, POLLIN, 0 } };
        if (poll(pf, 2, -1) < 0)
            continue;
        if (pf[0].revents)
            collect_chunk(p, &p->out_fd, &p->out, &p->out_trunc);
        if (pf[1].revents)
            collect_chunk(p, &p->err_fd, &p->err, &p->err_trunc);
    }
    return NULL;
}

static int read_setup_error(int fd, char *err, size_t errlen)
{
    char buf[200];
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return 0; /* closed by exec: the program started */
    buf[n] = '\0';
    char *colon = strrchr(buf, ':');
    int e = colon ? atoi(colon + 1) : 0;
    if (colon)
        *colon = '\0';
    return util_err(err, errlen, "sandbox: %s: %s", buf, strerror(e));
}

static pid_t fork_init(const struct sandbox *sb, const struct sandbox_job *job, int pipes[5][2],
                       int in_fd)
{
    /* clone() rather than unshare(CLONE_NEWPID): after unshare the runner could no longer
     * start threads (peers, output collector). The child only makes system calls. */
    unsigned long flags = SIGCHLD;
    if (sb->mode == SANDBOX_NAMESPACES)
        flags |= CLONE_NEWPID;
    pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
    if (pid == 0) {
        /* The error pipe must survive the descriptor sweep, so park it high. */
        if (dup2(pipes[3][1], SETUP_FD) < 0 || fcntl(SETUP_FD, F_SETFD, FD_CLOEXEC) < 0)
            _exit(127);
        /* Wait until the runner has put this process in the run's cgroup (start_init);
         * end-of-file means the runner is gone. */
        char go;
        close(pipes[4][1]);
        if (read(pipes[4][0], &go, 1) != 1)
            _exit(127);
        sandbox_init_main(sb, job, pipes[0][1], in_fd, pipes[1][1], pipes[2][1]);
    }
    return pid;
}

/* Starts init in the run's memory cgroup, so that the program and everything it forks are
 * charged to the group, memfd files and shared memory included. Where no group can be made
 * or joined (no cgroups, not writable) the run keeps its rlimits only. */
static pid_t start_init(struct sandbox_proc *p, const struct sandbox_job *job, int pipes[5][2],
                        int in_fd)
{
    const struct sandbox_limits *l = &job->limits;
    if (l->run_memory_bytes)
        cgroup_run_create(l->run_memory_bytes, l->processes ? l->processes + PIDS_SLACK : 0,
                          &p->cg, NULL, 0);
    pid_t pid = fork_init(p->sb, job, pipes, in_fd);
    if (pid > 0 && p->cg && cgroup_run_attach(p->cg, pid, NULL, 0) < 0) {
        cgroup_run_destroy(p->cg);
        p->cg = NULL;
    }
    if (pid > 0)
        (void)!write(pipes[4][1], "g", 1);
    return pid;
}

static void close_pipes(int pipes[5][2])
{
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 2; j++)
            if (pipes[i][j] >= 0)
                close(pipes[i][j]);
}

int sandbox_start(const struct sandbox *sb, const struct sandbox_job *job,
                  struct sandbox_proc **out, char *err, size_t errlen)
{
    /* status, out, err, setup (errors before exec), go (init may start the program) */
    int pipes[5][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 } };
    int in_fd = -1, rc = -1;
    struct sandbox_proc *p = NULL;
    *out = NULL;
    for (int i = 0; i < 5; i++)
        if (pipe2(pipes[i], O_CLOEXEC) < 0) {
            util_err(err, errlen, "sandbox: pipe: %s", strerror(errno));
            goto out;
        }
    if ((in_fd = make_stdin(job, err, errlen)) < 0)
        goto out;
    p = xcalloc(1, sizeof *p);
    p->sb = sb;
    p->start_ms = util_now_ms();
    p->deadline_ms = p->start_ms + job->limits.timeout_ms;
    p->cap = job->limits.output_cap;
    strbuf_init(&p->out);
    strbuf_init(&p->err);
    p->init = start_init(p, job, pipes, in_fd);
    if (p->init < 0) {
        util_err(err, errlen, "sandbox: fork init: %s", strerror(errno));
        goto out;
    }
    close(pipes[0][1]), close(pipes[1][1]), close(pipes[2][1]), close(pipes[3][1]);
    pipes[0][1] = pipes[1][1] = pipes[2][1] = pipes[3][1] = -1;
    p->status_fd = pipes[0][0];
    p->out_fd = pipes[1][0];
    p->err_fd = pipes[2][0];
    pipes[0][0] = pipes[1][0] = pipes[2][0] = -1;
    if (read_setup_error(pipes[3][0], err, errlen) < 0) {
        kill(p->init, SIGKILL);
        waitpid(p->init, NULL, 0);
        close(p->status_fd), close(p->out_fd), close(p->err_fd);
        goto out;
    }
    if (pthread_create(&p->collector, NULL, collector_main, p) != 0) {
        util_err(err, errlen, "sandbox: collector thread failed");
        p->ended = -1;
        goto started;
    }
    p->collector_started = 1;
started:
    *out = p;
    p = NULL;
    rc = 0;
out:
    if (in_fd >= 0)
        close(in_fd);
    close_pipes(pipes);
    if (p) {
        cgroup_run_destroy(p->cg);
        strbuf_release(&p->out);
        strbuf_release(&p->err);
        free(p);
    }
    return rc;
}

int sandbox_end_fd(const struct sandbox_proc *p)
{
    return p->status_fd;
}

int sandbox_children(const struct sandbox_proc *p, size_t *live, size_t *zombies)
{
    /* With namespaces the program is init's child; without, it is p->init itself. */
    return proctree_count(p->init, p->sb->mode == SANDBOX_NAMESPACES ? 2 : 1, live, zombies);
}

/* Reads the status init wrote (status_fd is readable). */
static void take_status(struct sandbox_proc *p)
{
    ssize_t r = read(p->status_fd, &p->wstatus, sizeof p->wstatus);
    /* EOF without a status: init itself died (killed from outside). */
    p->ended = r == (ssize_t)sizeof p->wstatus ? 1 : 2;
}

bool sandbox_wait(struct sandbox_proc *p, int64_t deadline_ms)
{
    if (deadline_ms > p->deadline_ms)
        deadline_ms = p->deadline_ms;
    while (!p->ended) {
        int64_t left = deadline_ms - util_now_ms();
        if (left <= 0)
            return false;
        struct pollfd pf = { p->status_fd, POLLIN, 0 };
        int n = poll(&pf, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        take_status(p);
    }
    return true;
}

static void outcome_from_status(struct sandbox_proc *p, struct sandbox_outcome *o)
{
    if (p->ended == 1 && WIFEXITED(p->wstatus)) {
        o->end = END_EXITED;
        o->code = WEXITSTATUS(p->wstatus);
    } else if (p->ended == 1 && WIFSIGNALED(p->wstatus)) {
        o->end = END_SIGNALED;
        o->signal = WTERMSIG(p->wstatus);
    } else if (p->ended == 2) {
        o->end = END_SIGNALED;
        o->signal = SIGKILL;
    } else {
        o->end = util_now_ms() >= p->deadline_ms ? END_TIMEOUT : END_STOPPED;
    }
}

/* Reads whether the kernel killed for memory, then kills what is left in the group (with
 * --sandbox none a process may have left init's process group) and removes it. A run whose
 * process was killed at the bound is reported killed even if the rest went on: otherwise a
 * program that outlives its children could still print the right answer. */
static void end_cgroup(struct sandbox_proc *p, struct sandbox_outcome *o)
{
    if (!p->cg)
        return;
    o->memory_cgroup = true;
    o->oom_killed = cgroup_run_oom_killed(p->cg);
    cgroup_run_destroy(p->cg);
    p->cg = NULL;
    if (o->oom_killed) {
        o->end = END_SIGNALED;
        o->signal = SIGKILL;
    }
}

/* Has the program ended without anyone waiting for it (a server that died while the
 * grader's clients ran)? Then its status is already there to read. */
static void collect_status(struct sandbox_proc *p)
{
    struct pollfd pf = { p->status_fd, POLLIN, 0 };
    if (!p->ended && poll(&pf, 1, 0) == 1)
        take_status(p);
}

void sandbox_finish(struct sandbox_proc *p, struct sandbox_outcome *o)
{
    memset(o, 0, sizeof *o);
    collect_status(p);
    outcome_from_status(p, o);
    o->wall_ms = util_now_ms() - p->start_ms;
    /* Killing init tears down the whole pid namespace, daemons and stopped children too. */
    kill(p->init, SIGKILL);
    if (p->sb->mode == SANDBOX_NONE) /* no pid namespace: init's process group */
        kill(-p->init, SIGKILL);
    while (waitpid(p->init, NULL, 0) < 0 && errno == EINTR)
        ;
    end_cgroup(p, o); /* before the join: a leftover may still hold the output pipes */
    if (p->collector_started)
        pthread_join(p->collector, NULL);
    close(p->status_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    o->out_len = p->out.len;
    o->out = strbuf_detach(&p->out);
    o->out_truncated = p->out_trunc;
    o->err_len = p->err.len;
    o->err = strbuf_detach(&p->err);
    o->err_truncated = p->err_trunc;
    free(p);
}

void sandbox_terminate(struct sandbox_proc *p, int grace_ms)
{
    if (p->ended)
        return;
    kill(p->init, SIGTERM);
    sandbox_wait(p, util_now_ms() + grace_ms);
}

void sandbox_outcome_free(struct sandbox_outcome *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

int sandbox_run(const struct sandbox *sb, const struct sandbox_job *job,
                struct sandbox_outcome *out, char *err, size_t errlen)
{
    struct sandbox_proc *p;
    if (sandbox_start(sb, job, &p, err, errlen) < 0)
        return -1;
    sandbox_wait(p, p->deadline_ms);
    sandbox_finish(p, out);
    return 0;
}
