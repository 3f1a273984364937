/* sandbox_child: what runs inside a run before the program's code does: init (the pid
 * namespace's reaper, which enters the root, starts the program and reports its status) and
 * the program's child up to exec (privileges, limits, descriptors; without namespaces,
 * sandbox_none.c's Landlock). Only system calls here: these processes were forked from a
 * threaded runner. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "sandbox_int.h"
#include "util/util.h"

#define STUDENT_ID 1000
#define NONE_ENV_MAX 64

/* Async-signal-safe failure report from a child before exec: "step: errno". */
static _Noreturn void child_fail(const char *step)
{
    char buf[160];
    int e = errno, n = 0;
    for (const char *p = step; *p && n < 120; p++)
        buf[n++] = *p;
    buf[n++] = ':';
    buf[n++] = ' ';
    char digits[16];
    int d = 0;
    do {
        digits[d++] = (char)('0' + e % 10);
        e /= 10;
    } while (e && d < 15);
    while (d)
        buf[n++] = digits[--d];
    (void)!write(SETUP_FD, buf, (size_t)n);
    _exit(127);
}

static void set_limit(int resource, uint64_t soft, uint64_t hard, const char *step)
{
    struct rlimit rl = { (rlim_t)soft, (rlim_t)hard };
    if (setrlimit(resource, &rl) < 0)
        child_fail(step);
}

static int write_small(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = util_write_all(fd, text, strlen(text));
    close(fd);
    return rc;
}

/* In the program's own process: drop to uid 1000 of a nested user namespace. */
static void child_drop_privileges(const struct sandbox *sb)
{
    if (sb->root_mapped) { /* 1000 is already an unprivileged host uid: just become it */
        gid_t none[1] = { STUDENT_ID };
        if (setgroups(1, none) < 0 || setresgid(STUDENT_ID, STUDENT_ID, STUDENT_ID) < 0 ||
            setresuid(STUDENT_ID, STUDENT_ID, STUDENT_ID) < 0)
            child_fail("setuid 1000");
        return;
    }
    if (unshare(CLONE_NEWUSER) < 0)
        child_fail("unshare user namespace");
    if (write_small("/proc/self/setgroups", "deny") < 0 ||
        write_small("/proc/self/uid_map", "1000 0 1") < 0 ||
        write_small("/proc/self/gid_map", "1000 0 1") < 0)
        child_fail("write user maps");
    if (setresgid(STUDENT_ID, STUDENT_ID, STUDENT_ID) < 0 || setresuid(STUDENT_ID, STUDENT_ID, STUDENT_ID) < 0)
        child_fail("setuid 1000");
}

static void child_descriptors(const struct sandbox_job *job, int in_fd, int out_fd, int err_fd)
{
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        child_fail("stdio");
    /* Nothing of the runner's (peer sockets, pipes) may leak into the program. */
    if (close_range(3, SETUP_FD - 1, 0) < 0)
        child_fail("close descriptors");
    for (size_t i = 0; i < job->nheld_fds; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0 || (fd != job->held_fds[i] && (dup2(fd, job->held_fds[i]) < 0 || close(fd) < 0)))
            child_fail("held descriptors");
    }
}

static _Noreturn void child_exec(const struct sandbox *sb, const struct sandbox_job *job, int in_fd,
                                 int out_fd, int err_fd)
{
    static const char *const empty_env[] = { NULL };
    const char *none_env[NONE_ENV_MAX];
    const char *const *envp = job->envp ? job->envp : empty_env;
    const struct sandbox_limits *l = &job->limits;
    /* With namespaces the program gets a session of its own; without, it stays in init's
     * process group so that one kill ends it and its children. */
    if (sb->mode == SANDBOX_NAMESPACES && setsid() < 0)
        child_fail("setsid");
    if (sb->mode == SANDBOX_NAMESPACES)
        child_drop_privileges(sb);
    else if (sandbox_none_confine(sb, envp, none_env, NONE_ENV_MAX) < 0)
        child_fail("landlock"); /* before the descriptor sweep, which would close the ruleset */
    else
        envp = none_env;
    child_descriptors(job, in_fd, out_fd, err_fd);
    set_limit(RLIMIT_CPU, l->cpu_seconds, l->cpu_seconds + 1, "limit cpu");
    if (l->memory_bytes)
        set_limit(RLIMIT_AS, l->memory_bytes, l->memory_bytes, "limit memory");
    set_limit(RLIMIT_NPROC, l->processes, l->processes, "limit processes");
    set_limit(RLIMIT_FSIZE, l->file_bytes, l->file_bytes, "limit file size");
    set_limit(RLIMIT_CORE, 0, 0, "limit core");
    set_limit(RLIMIT_NOFILE, l->nofile_soft, l->nofile_hard, "limit descriptors");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail("no new privileges");
    if (chdir(job->cwd ? job->cwd : sb->cwd) < 0)
        child_fail("chdir");
    execve(job->argv[0], (char *const *)job->argv, (char *const *)envp);
    child_fail("exec");
}

static void init_enter_root(const struct sandbox *sb)
{
    if (unshare(CLONE_NEWNS) < 0)
        child_fail("init: unshare mount namespace");
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
        child_fail("init: private mounts");
    if (chdir(sb->root) < 0)
        child_fail("init: chdir root");
    /* The kernel lets a user namespace mount proc only while a full proc is visible in the
     * mount namespace, so mount it before the old root goes away. */
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        child_fail("init: mount /proc");
    /* Kernel settings stay read-only to the program (as bubblewrap does). */
    static const char *const ro[] = { "proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus" };
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        if (access(ro[i], F_OK) == 0 &&
            (mount(ro[i], ro[i], "none", MS_BIND | MS_REC, NULL) < 0 ||
             mount("none", ro[i], "none", MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0))
            child_fail("init: make /proc/sys read-only");
    /* pivot_root(".", ".") stacks the old root under the new one; detach it. */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        child_fail("init: pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        child_fail("init: detach old root");
    if (chdir("/") < 0)
        child_fail("init: chdir /");
}

/* Static because a signal handler can reach nothing else; it lives in init's process only. */
static volatile pid_t init_prog;

/* The runner asks for a gentle end (Valgrind then writes its summary): pass it on. */
static void init_forward_term(int sig)
{
    if (init_prog > 0)
        kill(init_prog, sig);
}

/* init is a copy of the grader: without this, /proc/1/cmdline would show the grader's own
 * command line (paths, seed) to the program. */
static void init_scrub_cmdline(const struct sandbox *sb)
{
    static const char name[] = "init";
    if (!sb->argv_area || sb->argv_len < sizeof name)
        return;
    memset(sb->argv_area, 0, sb->argv_len);
    memcpy(sb->argv_area, name, sizeof name);
}

/* pid 1 of the namespace: reaps everything, reports the program's status, then exits, which
 * kills whatever the program left behind. */
_Noreturn void sandbox_init_main(const struct sandbox *sb, const struct sandbox_job *job,
                                 int status_fd, int in_fd, int out_fd, int err_fd)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        child_fail("init: parent-death signal");
    init_scrub_cmdline(sb);
    if (sb->mode == SANDBOX_NAMESPACES)
        init_enter_root(sb);
    else if (setpgid(0, 0) < 0)
        child_fail("init: process group");
    pid_t prog = fork();
    if (prog < 0)
        child_fail("init: fork");
    if (prog == 0)
        child_exec(sb, job, in_fd, out_fd, err_fd);
    init_prog = prog;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = init_forward_term;
    sigaction(SIGTERM, &sa, NULL);
    /* Keep only the status pipe: the setup pipe must reach EOF now (the runner waits on it),
     * and peer sockets must not stay open in the namespace. */
    (void)in_fd, (void)out_fd, (void)err_fd;
    if (status_fd > 3)
        close_range(3, (unsigned)status_fd - 1, 0);
    close_range((unsigned)status_fd + 1, ~0U, 0);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0 && errno == EINTR)
            continue;
        if (p < 0)
            _exit(1);
        if (p == prog) {
            (void)!write(status_fd, &st, sizeof st);
            _exit(0);
        }
    }
}
