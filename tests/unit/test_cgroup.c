/* Tests of the per-run cgroup: each test makes a group, puts a forked child in it and watches
 * what the kernel does to the child. They need a writable memory cgroup. As root on a machine
 * with a read-write cgroup mount one is required (a failure to make it fails the test);
 * elsewhere (an unprivileged user, a read-only /sys/fs/cgroup) the grader keeps its rlimits
 * only and these tests are skipped. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/cgroup.h"
#include "util/util.h"

#define MiB ((size_t)1 << 20)

static bool cgroups_expected(void)
{
    const char *path = access("/sys/fs/cgroup/memory", F_OK) == 0 ? "/sys/fs/cgroup/memory"
                                                                   : "/sys/fs/cgroup";
    struct statfs fs;
    struct statvfs vfs;
    return geteuid() == 0 && statfs(path, &fs) == 0 && statvfs(path, &vfs) == 0 &&
           (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC) &&
           !(vfs.f_flag & ST_RDONLY);
}

static struct cgroup_run *make_group(size_t limit, unsigned pids)
{
    char err[UTIL_ERRLEN];
    struct cgroup_run *cg = NULL;
    if (cgroup_run_create(limit, pids, &cg, err, sizeof err) < 0) {
        if (!cgroups_expected())
            cr_skip_test("no writable memory cgroup here: %s", err);
        cr_assert_fail("root with a writable cgroup mount, yet: %s", err);
    }
    return cg;
}

/* Holds bytes of a memfd file, mapped and touched page by page: memory that belongs to no
 * process's address space once unmapped, and that RLIMIT_AS never sees as a whole. */
static int hold_memfd(size_t bytes)
{
    int fd = memfd_create("test", 0);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0)
        return 2;
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 3;
    for (size_t off = 0; off < bytes; off += MiB)
        memset(p + off, 0x5a, MiB);
    return 0;
}

/* Forks as many children as it may, each sleeping; exits with how many it got. */
static int fork_many(size_t want)
{
    int n = 0;
    for (size_t i = 0; i < want; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            sleep(5);
            _exit(0);
        }
        n += pid > 0;
    }
    return n;
}

static int sleep_long(size_t seconds)
{
    setsid(); /* out of reach of a kill of our process group: only the cgroup finds it */
    sleep((unsigned)seconds);
    return 0;
}

/* Forks a child that waits until it is in the group, then runs fn(arg) and exits with its
 * result. */
static pid_t start_in_group(struct cgroup_run *cg, int (*fn)(size_t), size_t arg)
{
    int p[2];
    char err[UTIL_ERRLEN], go;
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(p[1]);
        _exit(read(p[0], &go, 1) == 1 ? fn(arg) : 100);
    }
    close(p[0]);
    cr_assert_eq(cgroup_run_attach(cg, pid, err, sizeof err), 0, "%s", err);
    cr_assert_eq(write(p[1], "g", 1), 1);
    close(p[1]);
    return pid;
}

static void assert_gone(const char *path)
{
    struct stat st;
    cr_assert(stat(path, &st) < 0 && errno == ENOENT, "the group %s is left behind", path);
}

Test(cgroup, memfd_over_the_limit_is_killed_and_the_group_removed, .timeout = 20)
{
    struct cgroup_run *cg = make_group(64 * MiB, 16);
    char *path = xstrdup(cgroup_run_path(cg));
    int st;
    pid_t pid = start_in_group(cg, hold_memfd, 256 * MiB);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
              "the child held 256 MiB in a 64 MiB group (status %#x)", st);
    cr_assert(cgroup_run_oom_killed(cg), "the group does not say it killed for memory");
    cgroup_run_destroy(cg);
    assert_gone(path);
    free(path);
}

Test(cgroup, memfd_under_the_limit_lives, .timeout = 20)
{
    struct cgroup_run *cg = make_group(64 * MiB, 16);
    int st;
    pid_t pid = start_in_group(cg, hold_memfd, 16 * MiB);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    cr_assert(!cgroup_run_oom_killed(cg));
    cgroup_run_destroy(cg);
}

Test(cgroup, destroy_kills_what_is_left, .timeout = 20)
{
    struct cgroup_run *cg = make_group(64 * MiB, 16);
    char *path = xstrdup(cgroup_run_path(cg));
    int st;
    pid_t pid = start_in_group(cg, sleep_long, 30);
    cgroup_run_destroy(cg);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
    assert_gone(path);
    free(path);
}

Test(cgroup, tasks_are_bounded, .timeout = 20)
{
    struct cgroup_run *cg = make_group(64 * MiB, 8);
    int st;
    if (access("/sys/fs/cgroup/pids", F_OK) < 0 && access("/sys/fs/cgroup/cgroup.controllers", F_OK) < 0)
        cr_skip_test("no pids controller here");
    pid_t pid = start_in_group(cg, fork_many, 20);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    /* 8 tasks: the child itself and 7 of its children */
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
    cgroup_run_destroy(cg);
}

Test(cgroup, names_are_unique_and_stale_groups_removed, .timeout = 20)
{
    struct cgroup_run *a = make_group(64 * MiB, 0), *b = make_group(64 * MiB, 0);
    cr_assert_str_neq(cgroup_run_path(a), cgroup_run_path(b));
    /* An empty group named for a process that cannot exist (above pid_max), as a crashed
     * runner would leave it. */
    char *max = util_read_file("/proc/sys/kernel/pid_max", NULL, NULL, 0);
    cr_assert(max);
    char *parent = xstrdup(cgroup_run_path(a));
    *strrchr(parent, '/') = '\0';
    struct stat ns;
    cr_assert_eq(stat("/proc/self/ns/pid", &ns), 0);
    char *stale = xasprintf("%s/run-%ld-0-%lu", parent, atol(max) + 1, (unsigned long)ns.st_ino);
    /* A group named in another pid namespace is not judged from here: its pid means nothing. */
    char *foreign = xasprintf("%s/run-%ld-0-%lu", parent, atol(max) + 1, (unsigned long)ns.st_ino + 1);
    cr_assert_eq(mkdir(foreign, 0755), 0, "%s: %s", foreign, strerror(errno));
    cr_assert_eq(mkdir(stale, 0755), 0, "%s: %s", stale, strerror(errno));
    struct cgroup_run *c = make_group(64 * MiB, 0);
    assert_gone(stale);
    struct stat st;
    cr_assert_eq(stat(foreign, &st), 0, "another namespace's group is left to its own graders");
    cr_assert_eq(rmdir(foreign), 0);
    cgroup_run_destroy(a);
    cgroup_run_destroy(b);
    cgroup_run_destroy(c);
    free(foreign);
    free(stale);
    free(parent);
    free(max);
}
