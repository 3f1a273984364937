/* Tests of the Landlock confinement of --sandbox none. Each test forks a child (Landlock binds
 * a thread, and Criterion's workers have several), confines it or builds a none-mode sandbox
 * there, and sends back what it could do; the parent asserts. Skipped where the kernel has no
 * Landlock (or too old an ABI for what the test needs). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/landlock.h"
#include "sandbox/sandbox.h"
#include "util/util.h"

struct seen {
    int built;            /* the ruleset was built and enforced */
    int read_inside, read_outside, read_hidden, read_beside_hidden;
    int write_inside, write_readonly;
    int signal_parent;    /* kill(getppid(), 0) succeeded */
    char err[512];
};

/* A scratch tree: allowed/ (read), work/ (write), outside/, and allowed/sub/{hidden,other}/. */
static char tree[64];

static void make_file(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tree, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, "x\n", 2), 2);
    close(fd);
}

static void make_tree(void)
{
    static const char *const dirs[] = { "allowed", "allowed/sub", "allowed/sub/hidden",
                                        "allowed/sub/other", "work", "outside" };
    char path[256];
    snprintf(tree, sizeof tree, "/tmp/sg-test-landlock.XXXXXX");
    cr_assert_not_null(mkdtemp(tree));
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tree, dirs[i]);
        cr_assert_eq(mkdir(path, 0755), 0);
    }
    make_file("allowed/file");
    make_file("allowed/sub/hidden/secret");
    make_file("allowed/sub/other/file");
    make_file("outside/secret");
}

static int can_open(const char *rel, int flags)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tree, rel);
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

static void confine_and_try(struct seen *s)
{
    char allowed[128], work[128], hidden[128];
    snprintf(allowed, sizeof allowed, "%s/allowed", tree);
    snprintf(work, sizeof work, "%s/work", tree);
    snprintf(hidden, sizeof hidden, "%s/allowed/sub/hidden", tree);
    const char *ro[] = { allowed }, *rw[] = { work };
    struct landlock_paths p = { ro, 1, rw, 1, hidden };
    int fd = landlock_ruleset_build(&p, s->err, sizeof s->err);
    if (fd < 0)
        return;
    if (landlock_enforce(fd) < 0) {
        snprintf(s->err, sizeof s->err, "enforce: %s", strerror(errno));
        return;
    }
    s->built = 1;
    s->read_inside = can_open("allowed/file", O_RDONLY);
    s->read_outside = can_open("outside/secret", O_RDONLY);
    s->read_hidden = can_open("allowed/sub/hidden/secret", O_RDONLY);
    s->read_beside_hidden = can_open("allowed/sub/other/file", O_RDONLY);
    s->write_inside = can_open("work/new", O_WRONLY | O_CREAT);
    s->write_readonly = can_open("allowed/new", O_WRONLY | O_CREAT);
    s->signal_parent = kill(getppid(), 0) == 0;
}

static struct seen run_confined(void)
{
    struct seen s;
    int p[2];
    memset(&s, 0, sizeof s);
    make_tree();
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        confine_and_try(&s);
        (void)!write(p[1], &s, sizeof s);
        _exit(0);
    }
    close(p[1]);
    cr_assert_eq(read(p[0], &s, sizeof s), (ssize_t)sizeof s, "the confined child reported nothing");
    close(p[0]);
    waitpid(pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
    (void)!system(cmd);
    cr_assert(s.built, "landlock failed: %s", s.err);
    return s;
}

Test(landlock, opens_only_the_allowed_folders, .timeout = 20)
{
    if (landlock_abi() < 1)
        cr_skip_test("%s", landlock_describe());
    struct seen s = run_confined();
    cr_assert(s.read_inside, "a file in the read folder could not be read");
    cr_assert(s.read_beside_hidden, "a file beside the hidden folder could not be read");
    cr_assert(s.write_inside, "the write folder could not be written");
    cr_assert_not(s.read_outside, "a file outside every allowed folder was read");
    cr_assert_not(s.read_hidden, "a file in the hidden folder was read");
    cr_assert_not(s.write_readonly, "a read-only folder was written");
}

Test(landlock, cannot_signal_outside_its_domain, .timeout = 20)
{
    if (landlock_abi() < 6)
        cr_skip_test("signal scoping needs Landlock ABI 6: %s", landlock_describe());
    struct seen s = run_confined();
    cr_assert_not(s.signal_parent, "the confined child could signal its parent");
}

/* The same through the sandbox: a none-mode run of a shell, as a check runs a program. */
static void run_none_mode(const char *script, struct sandbox_outcome *o, char *err, size_t errlen)
{
    char dir[] = "/tmp/sg-test-landlock-run.XXXXXX";
    struct sandbox_config cfg = { .workdir = mkdtemp(dir) };
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct sandbox_job job = { .argv = argv, .cwd = dir };
    sandbox_limits_default(&job.limits);
    job.limits.timeout_ms = 5000;
    memset(o, 0, sizeof *o);
    struct sandbox *sb = sandbox_enter(SANDBOX_NONE, &cfg, err, errlen);
    if (!sb || sandbox_run(sb, &job, o, err, errlen) < 0)
        o->end = END_FAILED;
    sandbox_free(sb);
}

Test(landlock, none_mode_program_sees_only_its_work_folder, .timeout = 20)
{
    if (landlock_abi() < 6)
        cr_skip_test("needs Landlock ABI 6: %s", landlock_describe());
    int p[2];
    char out[2048] = "";
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct sandbox_outcome o;
        char err[512] = "";
        /* $PPID is the run's init; the grader is above it: neither may be signalled. */
        run_none_mode("echo made >\"$TMPDIR/f\" && cat \"$TMPDIR/f\"; "
                      "cat /etc/passwd >/dev/null && echo passwd-ok; "
                      "ls / >/dev/null 2>&1 || echo root-closed; "
                      "ls /tmp >/dev/null 2>&1 || echo tmp-closed; "
                      "cat /proc/1/cmdline >/dev/null 2>&1 || echo proc-closed; "
                      "kill -0 $PPID 2>/dev/null || echo init-unreachable", &o, err, sizeof err);
        dprintf(p[1], "%s%s", o.end == END_FAILED ? err : "", o.out ? o.out : "");
        _exit(0);
    }
    close(p[1]);
    cr_assert_geq(read(p[0], out, sizeof out - 1), 0);
    close(p[0]);
    waitpid(pid, NULL, 0);
    cr_assert_str_eq(out, "made\npasswd-ok\nroot-closed\ntmp-closed\nproc-closed\ninit-unreachable\n");
}
