/* Tests of the process pool (util/pool.c), which runs grade.c's check runners and batch.c's
 * workers: each child's output and status come back whole, a job past its deadline is killed
 * (with its whole process group when asked), the stop descriptor ends a wait, and pool_stop
 * leaves nothing running. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/pool.h"
#include "util/util.h"

struct ended {
    struct pool_job *jobs[8];
    size_t n;
};

static void on_end(void *ctx, struct pool_job *job)
{
    struct ended *e = ctx;
    cr_assert_lt(e->n, 8);
    e->jobs[e->n++] = job;
}

static void say_arg(void *ctx, void *arg, int fd)
{
    (void)ctx;
    util_write_all(fd, arg, strlen(arg));
}

static void exit_7(void *ctx, void *arg, int fd)
{
    (void)ctx, (void)arg, (void)fd;
    _exit(7);
}

static void sleep_forever(void *ctx, void *arg, int fd)
{
    (void)ctx, (void)arg, (void)fd;
    for (;;)
        pause();
}

/* A grandchild in the job's process group holds the pipe too: the job ends only when both die. */
static void sleep_with_a_grandchild(void *ctx, void *arg, int fd)
{
    if (fork() == 0)
        sleep_forever(ctx, arg, fd);
    sleep_forever(ctx, arg, fd);
}

static void write_a_mebibyte(void *ctx, void *arg, int fd)
{
    static char block[1 << 20];
    (void)ctx, (void)arg;
    memset(block, 'x', sizeof block);
    util_write_all(fd, block, sizeof block);
}

static void start(struct pool *p, struct pool_job *job, int64_t bound_ms, pool_child_fn *child)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(pool_start(p, job, bound_ms, child, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_gt(job->pid, 0);
}

static void wait_for(struct pool *p, struct ended *e, size_t n)
{
    int64_t t0 = util_now_ms();
    while (e->n < n && util_now_ms() - t0 < 8000)
        pool_wait(p, 1000, on_end, e);
    cr_assert_eq(e->n, n, "%zu of %zu jobs ended", e->n, n);
}

Test(pool, each_childs_output_and_status_come_back, .timeout = 10)
{
    struct pool p;
    struct ended e = { 0 };
    struct pool_job a = { .arg = "first" }, b = { .arg = "second" }, c = { 0 };
    pool_init(&p, false, -1);
    start(&p, &a, 5000, say_arg);
    start(&p, &b, 5000, say_arg);
    start(&p, &c, 5000, exit_7);
    cr_assert_eq(p.nrunning, 3);
    wait_for(&p, &e, 3);
    cr_assert_str_eq(a.out.data, "first");
    cr_assert_str_eq(b.out.data, "second");
    cr_assert(WIFEXITED(a.status) && WEXITSTATUS(a.status) == 0);
    cr_assert(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 7, "status %d", c.status);
    cr_assert(!a.overran && !c.overran);
    cr_assert(a.pid == 0 && a.fd == -1 && p.nrunning == 0);
    strbuf_release(&a.out);
    strbuf_release(&b.out);
    strbuf_release(&c.out);
    pool_free(&p);
}

Test(pool, output_larger_than_a_pipe_is_read_whole, .timeout = 10)
{
    struct pool p;
    struct ended e = { 0 };
    struct pool_job a = { 0 };
    pool_init(&p, false, -1);
    start(&p, &a, 5000, write_a_mebibyte);
    wait_for(&p, &e, 1);
    cr_assert_eq(a.out.len, (size_t)1 << 20);
    strbuf_release(&a.out);
    pool_free(&p);
}

Test(pool, a_job_past_its_deadline_is_killed, .timeout = 10)
{
    struct pool p;
    struct ended e = { 0 };
    struct pool_job a = { 0 };
    pool_init(&p, false, -1);
    int64_t t0 = util_now_ms();
    start(&p, &a, 200, sleep_forever);
    wait_for(&p, &e, 1);
    int64_t took = util_now_ms() - t0;
    cr_assert(a.overran);
    cr_assert(WIFSIGNALED(a.status) && WTERMSIG(a.status) == SIGKILL, "status %d", a.status);
    cr_assert(took >= 200 && took < 3000, "ended after %lld ms", (long long)took);
    strbuf_release(&a.out);
    pool_free(&p);
}

Test(pool, an_own_group_job_is_killed_with_its_group, .timeout = 10)
{
    struct pool p;
    struct ended e = { 0 };
    struct pool_job a = { 0 };
    pool_init(&p, true, -1);
    start(&p, &a, 200, sleep_with_a_grandchild);
    cr_assert_eq(getpgid(a.pid), a.pid);
    wait_for(&p, &e, 1); /* the pipe closed: the grandchild that held it is gone too */
    cr_assert(a.overran);
    strbuf_release(&a.out);
    pool_free(&p);
}

Test(pool, the_stop_descriptor_ends_a_wait_and_stop_kills_every_job, .timeout = 10)
{
    struct pool p;
    struct ended e = { 0 };
    struct pool_job a = { 0 }, b = { 0 };
    int efd = eventfd(1, EFD_CLOEXEC);
    cr_assert_geq(efd, 0);
    pool_init(&p, true, efd);
    start(&p, &a, 60000, sleep_forever);
    start(&p, &b, 60000, sleep_forever);
    int64_t t0 = util_now_ms();
    cr_assert_eq(pool_wait(&p, 5000, on_end, &e), 1);
    cr_assert_lt(util_now_ms() - t0, 2000);
    pid_t pa = a.pid;
    pool_stop(&p);
    cr_assert(p.nrunning == 0 && a.pid == 0 && b.pid == 0 && e.n == 0);
    cr_assert(WIFSIGNALED(a.status) && WTERMSIG(a.status) == SIGKILL);
    cr_assert_eq(waitpid(pa, NULL, WNOHANG), -1, "the child was reaped");
    strbuf_release(&a.out);
    strbuf_release(&b.out);
    pool_free(&p);
    close(efd);
}
