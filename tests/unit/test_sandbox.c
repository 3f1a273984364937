/* Tests of the sandbox: each test forks a single-threaded child (Criterion's workers have
 * threads, and a threaded process cannot enter a user namespace), builds a sandbox there,
 * runs a shell command in it and sends the outcome back for the assertions. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/util.h"

struct seen {
    int end, code, sig;
    long wall_ms;
    char out[4096];
    char err[1024];
    int out_truncated;
    int memory_cgroup, oom_killed;
};

static uint64_t run_memory_bytes; /* when set, the run's memory bound instead of the default */

static struct seen run_sh(const char *script, int timeout_ms, const int *held, size_t nheld)
{
    struct seen s;
    int p[2];
    memset(&s, 0, sizeof s);
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char dir[] = "/tmp/sg-test-sandbox.XXXXXX", err[512];
        static const char hosts[] = "10.9.8.7\tfixture.test\n";
        struct sandbox_file files[] = { { "/etc/hosts", hosts, sizeof hosts - 1 } };
        struct sandbox_config cfg = { .workdir = mkdtemp(dir), .files = files, .nfiles = 1 };
        const char *argv[] = { "/bin/sh", "-c", script, NULL };
        struct sandbox_job job = { .argv = argv, .stdin_data = "from stdin\n", .stdin_len = 11,
                                   .held_fds = held, .nheld_fds = nheld };
        struct sandbox_outcome o;
        sandbox_limits_default(&job.limits);
        job.limits.timeout_ms = timeout_ms;
        job.limits.output_cap = 1000;
        if (run_memory_bytes)
            job.limits.run_memory_bytes = run_memory_bytes;
        if (sandbox_enter(SANDBOX_NAMESPACES, &cfg, err, sizeof err) < 0 ||
            sandbox_run(&job, &o, err, sizeof err) < 0) {
            s.end = -1;
            snprintf(s.err, sizeof s.err, "%s", err);
        } else {
            s.end = (int)o.end, s.code = o.code, s.sig = o.signal, s.wall_ms = (long)o.wall_ms;
            s.out_truncated = o.out_truncated;
            s.memory_cgroup = o.memory_cgroup, s.oom_killed = o.oom_killed;
            snprintf(s.out, sizeof s.out, "%s", o.out);
            snprintf(s.err, sizeof s.err, "%s", o.err);
        }
        (void)!write(p[1], &s, sizeof s);
        _exit(0);
    }
    close(p[1]);
    cr_assert_eq(read(p[0], &s, sizeof s), (ssize_t)sizeof s, "the sandbox child reported nothing");
    close(p[0]);
    waitpid(pid, NULL, 0);
    cr_assert_neq(s.end, -1, "sandbox failed: %s", s.err);
    return s;
}

Test(sandbox, runs_as_uid_1000_with_stdin_and_exit_code, .timeout = 20)
{
    struct seen s = run_sh("id -u; cat; echo oops >&2; exit 3", 5000, NULL, 0);
    cr_assert_eq(s.end, END_EXITED);
    cr_assert_eq(s.code, 3);
    cr_assert_str_eq(s.out, "1000\nfrom stdin\n");
    cr_assert_str_eq(s.err, "oops\n");
}

Test(sandbox, root_is_minimal_and_read_only, .timeout = 20)
{
    struct seen s = run_sh("cat /etc/hosts; ls /; touch /etc/x 2>/dev/null || echo ro; "
                           "ls /root /home /work 2>/dev/null | wc -l", 5000, NULL, 0);
    cr_assert_eq(s.end, END_EXITED);
    cr_assert(strstr(s.out, "10.9.8.7\tfixture.test\n"), "fixture hosts missing: %s", s.out);
    cr_assert(strstr(s.out, "\nro\n"), "root is writable: %s", s.out);
    cr_assert(!strstr(s.out, "work") && !strstr(s.out, "root\n") && !strstr(s.out, "home"),
              "host folders visible: %s", s.out);
}

Test(sandbox, own_pid_namespace_and_no_grader_processes, .timeout = 20)
{
    struct seen s = run_sh("ls /proc | grep -c '^[0-9]'", 5000, NULL, 0);
    int n = atoi(s.out);
    cr_assert(n >= 2 && n <= 5, "the program sees %d processes", n);
}

Test(sandbox, loopback_up_and_low_ports_bindable, .timeout = 20)
{
    struct seen s = run_sh("cat /proc/sys/net/ipv4/ip_unprivileged_port_start; "
                           "grep -c . /proc/net/dev", 5000, NULL, 0);
    cr_assert(strncmp(s.out, "0\n", 2) == 0, "unprivileged port start: %s", s.out);
    cr_assert_eq(atoi(s.out + 2), 3, "expected only lo (two header lines + lo): %s", s.out);
}

Test(sandbox, held_descriptors_are_open, .timeout = 20)
{
    static const int held[] = { 3, 5 };
    struct seen s = run_sh("ls /proc/self/fd | sort -n | tr '\\n' ' '", 5000, held, 2);
    cr_assert(strncmp(s.out, "0 1 2 3 ", 8) == 0 && strstr(s.out, " 5 "), "fds: %s", s.out);
    cr_assert(!strstr(s.out, " 4 ") || strstr(s.out, " 4 5 "), "fds: %s", s.out);
}

Test(sandbox, timeout_kills_everything, .timeout = 20)
{
    struct seen s = run_sh("(sleep 30 &) ; sleep 30", 300, NULL, 0);
    cr_assert_eq(s.end, END_TIMEOUT);
    cr_assert(s.wall_ms >= 300 && s.wall_ms < 3000, "wall %ld ms", s.wall_ms);
}

Test(sandbox, output_is_capped, .timeout = 20)
{
    struct seen s = run_sh("yes | head -c 100000", 5000, NULL, 0);
    cr_assert_eq(s.end, END_EXITED);
    cr_assert_eq(strlen(s.out), 1000);
    cr_assert(s.out_truncated);
}

/* Three shells each hold 40 MB (a command substitution of 40 MB): each is far under its
 * address-space limit, together they pass the run's 64 MiB. */
Test(sandbox, run_memory_is_bounded_across_processes, .timeout = 30)
{
    run_memory_bytes = (uint64_t)64 << 20;
    struct seen s = run_sh("for i in 1 2 3; do (x=$(head -c 40000000 /dev/zero | tr '\\0' a); "
                           "sleep 3) & done; wait; echo survived", 10000, NULL, 0);
    if (!s.memory_cgroup && geteuid() != 0)
        cr_skip_test("no memory cgroup for an unprivileged grader here: rlimits only");
    cr_assert(s.memory_cgroup, "as root the run had no memory cgroup");
    cr_assert(s.oom_killed, "120 MB held in a 64 MiB run (%s)", s.out);
    cr_assert_eq(s.end, END_SIGNALED);
    cr_assert_eq(s.sig, SIGKILL);
}

Test(sandbox, probe_reports_success_here, .timeout = 20)
{
    char err[2048] = "";
    cr_assert_eq(sandbox_probe(SANDBOX_NAMESPACES, err, sizeof err), 0, "%s", err);
}

/* Valgrind reads every debug file it finds; the sandbox keeps only the loader's, which Valgrind
 * cannot start without, and Valgrind must still run there. */
Test(sandbox, debug_folder_holds_only_the_loaders_file, .timeout = 30)
{
    struct seen s = run_sh("find /usr/lib/debug -type f | wc -l; "
                           "valgrind -q --error-exitcode=9 /bin/true && echo vg-ok", 20000, NULL, 0);
    cr_assert_eq(s.end, END_EXITED, "err: %s", s.err);
    cr_assert_str_eq(s.out, "1\nvg-ok\n", "err: %s", s.err);
}
