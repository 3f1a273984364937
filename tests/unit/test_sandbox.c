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
static bool run_valgrind;         /* the config's valgrind */

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
        struct sandbox_config cfg = { .workdir = mkdtemp(dir), .files = files, .nfiles = 1,
                                      .valgrind = run_valgrind };
        const char *argv[] = { "/bin/sh", "-c", script, NULL };
        struct sandbox_job job = { .argv = argv, .stdin_data = "from stdin\n", .stdin_len = 11,
                                   .held_fds = held, .nheld_fds = nheld };
        struct sandbox_outcome o;
        sandbox_limits_default(&job.limits);
        job.limits.timeout_ms = timeout_ms;
        job.limits.output_cap = 1000;
        if (run_memory_bytes)
            job.limits.run_memory_bytes = run_memory_bytes;
        struct sandbox *sb = sandbox_enter(SANDBOX_NAMESPACES, &cfg, err, sizeof err);
        if (!sb || sandbox_run(sb, &job, &o, err, sizeof err) < 0) {
            s.end = -1;
            snprintf(s.err, sizeof s.err, "%s", err);
        } else {
            s.end = (int)o.end, s.code = o.code, s.sig = o.signal, s.wall_ms = (long)o.wall_ms;
            s.out_truncated = o.out_truncated;
            s.memory_cgroup = o.memory_cgroup, s.oom_killed = o.oom_killed;
            snprintf(s.out, sizeof s.out, "%s", o.out);
            snprintf(s.err, sizeof s.err, "%s", o.err);
        }
        sandbox_free(sb);
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
    cr_assert_eq(sandbox_probe(SANDBOX_NAMESPACES, true, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(sandbox_probe_note(), "memory"), "note: %s", sandbox_probe_note());
}

/* check and batch probe without the memory cgroup (its first join waits for the kernel). */
Test(sandbox, probe_without_the_memory_note, .timeout = 20)
{
    char err[2048] = "";
    cr_assert_eq(sandbox_probe(SANDBOX_NAMESPACES, false, err, sizeof err), 0, "%s", err);
    cr_assert_str_empty(sandbox_probe_note());
}

/* Valgrind reads every debug file it finds; the sandbox keeps only the loader's, which Valgrind
 * cannot start without, and Valgrind must still run there. */
Test(sandbox, debug_folder_holds_only_the_loaders_file, .timeout = 30)
{
    run_valgrind = true;
    struct seen s = run_sh("find /usr/lib/debug -type f | wc -l; "
                           "valgrind -q --error-exitcode=9 /bin/true && echo vg-ok", 20000, NULL, 0);
    cr_assert_eq(s.end, END_EXITED, "err: %s", s.err);
    cr_assert_str_eq(s.out, "1\nvg-ok\n", "err: %s", s.err);
}

/* What a caller learns from sandbox_path, and where a program runs when it names no folder. */
struct path_seen {
    int ok;
    char err[512];
    char prog[512];       /* sandbox_path of the bound program */
    char folder[512];     /* sandbox_path of the bound folder itself */
    int outside_null;     /* a path beneath no bind has no answer */
    int sibling_null;     /* nor one that only starts with a bind's name */
    char out[1024];       /* what the program printed: $0 and its working folder */
};

static void path_child(enum sandbox_mode mode, const char *bindir, const char *workdir,
                       struct path_seen *s)
{
    struct sandbox_bind bind = { bindir, "/sandbox", false };
    struct sandbox_config cfg = { .workdir = workdir, .binds = &bind, .nbinds = 1 };
    struct sandbox_outcome o = { 0 };
    char *host = xasprintf("%s/prog", bindir), *sibling = xasprintf("%sx/prog", bindir);
    struct sandbox *sb = sandbox_enter(mode, &cfg, s->err, sizeof s->err);
    char *prog = sb ? sandbox_path(sb, host) : NULL, *folder = sb ? sandbox_path(sb, bindir) : NULL;
    char *outside = sb ? sandbox_path(sb, "/etc/passwd") : NULL;
    char *sib = sb ? sandbox_path(sb, sibling) : NULL;
    const char *argv[] = { prog, NULL };
    struct sandbox_job job = { .argv = argv };
    sandbox_limits_default(&job.limits);
    if (prog && folder && sandbox_run(sb, &job, &o, s->err, sizeof s->err) == 0) {
        s->ok = 1;
        snprintf(s->prog, sizeof s->prog, "%s", prog);
        snprintf(s->folder, sizeof s->folder, "%s", folder);
        snprintf(s->out, sizeof s->out, "%s%s", o.out, o.err);
        s->outside_null = !outside;
        s->sibling_null = !sib;
    }
    sandbox_outcome_free(&o);
    free(host), free(sibling), free(prog), free(folder), free(outside), free(sib);
    sandbox_free(sb);
}

/* Forks (a user namespace needs a single-threaded process), binds a folder holding a script at
 * /sandbox, and runs the script where sandbox_path says the program sees it. */
static struct path_seen run_bound_program(enum sandbox_mode mode, char *bindir, char *workdir)
{
    struct path_seen s;
    int p[2];
    memset(&s, 0, sizeof s);
    cr_assert_not_null(mkdtemp(bindir));
    cr_assert_not_null(mkdtemp(workdir));
    chmod(bindir, 0755);
    char *script = xasprintf("%s/prog", bindir);
    FILE *f = fopen(script, "w");
    cr_assert_not_null(f);
    fputs("#!/bin/sh\necho \"$0\"; pwd\n", f);
    fclose(f);
    chmod(script, 0755);
    free(script);
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        path_child(mode, bindir, workdir, &s);
        (void)!write(p[1], &s, sizeof s);
        _exit(0);
    }
    close(p[1]);
    cr_assert_eq(read(p[0], &s, sizeof s), (ssize_t)sizeof s, "the sandbox child reported nothing");
    close(p[0]);
    waitpid(pid, NULL, 0);
    char *rm = xasprintf("rm -rf '%s' '%s'", bindir, workdir);
    (void)!system(rm);
    free(rm);
    cr_assert(s.ok, "sandbox failed: %s", s.err);
    cr_assert(s.outside_null, "a path beneath no bind got an answer");
    cr_assert(s.sibling_null, "a folder beside the bind was taken for it");
    return s;
}

Test(sandbox, path_inside_is_where_the_program_is_found, .timeout = 20)
{
    char bindir[] = "/tmp/sg-test-bind.XXXXXX", workdir[] = "/tmp/sg-test-work.XXXXXX";
    struct path_seen s = run_bound_program(SANDBOX_NAMESPACES, bindir, workdir);
    cr_assert_str_eq(s.prog, "/sandbox/prog");
    cr_assert_str_eq(s.folder, "/sandbox");
    cr_assert_str_eq(s.out, "/sandbox/prog\n/tmp\n");
}

Test(sandbox, path_without_namespaces_is_the_hosts, .timeout = 20)
{
    char bindir[] = "/tmp/sg-test-bind.XXXXXX", workdir[] = "/tmp/sg-test-work.XXXXXX";
    struct path_seen s = run_bound_program(SANDBOX_NONE, bindir, workdir);
    char *prog = xasprintf("%s/prog", bindir), *out = xasprintf("%s\n%s\n", prog, workdir);
    cr_assert_str_eq(s.prog, prog);
    cr_assert_str_eq(s.folder, bindir);
    cr_assert_str_eq(s.out, out, "the program ran elsewhere than the run's work folder");
    free(prog);
    free(out);
}
