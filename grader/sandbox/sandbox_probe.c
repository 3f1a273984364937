/* sandbox_probe: proves a mode works here by really building a sandbox and running /bin/true
 * in it (a successful unshare proves nothing: AppArmor and seccomp refuse later steps). */
#include "sandbox_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "cgroup.h"
#include "util/util.h"
#include "util/workdir.h"

/* What the last probe found about this machine, kept for main to show after grading (selftest);
 * a fact of the machine asked in main's process, not state of any run. */
static char probe_note[UTIL_ERRLEN];

static const char advice[] =
    "\n  to allow unprivileged user namespaces:"
    "\n    Ubuntu 23.10+ (AppArmor):  sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0"
    "\n                               or, for this binary only:  sudo make install-apparmor"
    "\n                               (places share/sockgrade/apparmor/sockgrade in /etc/apparmor.d)"
    "\n    Debian/other:              sudo sysctl kernel.unprivileged_userns_clone=1"
    "\n                               sudo sysctl user.max_user_namespaces=10000"
    "\n    Docker:                    docker run --security-opt seccomp=unconfined "
    "--security-opt apparmor=unconfined ..."
    "\n  or grade with the weaker isolation: --sandbox none (checks that need namespaces are skipped)";

/* How the probe's run had its memory bounded; when no cgroup was used, why (the run never
 * fails for that, so the reason is found again here). */
static void memory_note(const struct sandbox_outcome *o, const struct sandbox_limits *l, char *note,
                        size_t len)
{
    char why[256] = "a group could be made but the run could not join it";
    struct cgroup_run *cg = NULL;
    if (o->memory_cgroup) {
        snprintf(note, len, "a memory cgroup per run: %llu MiB for all of a run's processes",
                 (unsigned long long)(l->run_memory_bytes >> 20));
        return;
    }
    if (cgroup_run_create(l->run_memory_bytes, 0, &cg, why, sizeof why) == 0)
        cgroup_run_destroy(cg);
    snprintf(note, len, "no memory cgroup (%s): memory is bounded per process only (rlimits), "
             "so a run's processes together may hold more", why);
}

/* Writes 'E' and the error, or 'N' and the memory note (empty unless asked for). */
static _Noreturn void probe_child(enum sandbox_mode mode, bool note_memory, const char *workdir,
                                  int fd)
{
    char err[UTIL_ERRLEN] = "", note[UTIL_ERRLEN] = "";
    struct sandbox_config cfg = { .workdir = workdir };
    const char *argv[] = { "/bin/true", NULL };
    struct sandbox_job job = { .argv = argv };
    struct sandbox_outcome o;
    sandbox_limits_default(&job.limits);
    /* A run's cgroup is never what makes it fail (without one its memory is bounded per
     * process), so the probe joins one only to say how memory is bounded: the first join of a
     * memory cgroup waits about 12 ms for the kernel (an RCU grace period), at every start. */
    if (!note_memory)
        job.limits.run_memory_bytes = 0;
    struct sandbox *sb = sandbox_enter(mode, &cfg, err, sizeof err);
    if (sb && sandbox_run(sb, &job, &o, err, sizeof err) == 0) {
        if (o.end != END_EXITED || o.code != 0)
            snprintf(err, sizeof err, "sandbox: a test program did not run (%s%s)",
                     sandbox_end_name(o.end), o.error);
        else if (note_memory)
            memory_note(&o, &job.limits, note, sizeof note);
        sandbox_outcome_free(&o);
    }
    sandbox_free(sb);
    /* One write below PIPE_BUF: the parent's single read gets all of it. */
    char msg[UTIL_ERRLEN + 1];
    int n = snprintf(msg, sizeof msg, "%c%s", err[0] ? 'E' : 'N', err[0] ? err : note);
    util_write_all(fd, msg, n < (int)sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(0);
}

const char *sandbox_isolation(enum sandbox_mode mode)
{
    static char text[192];
    if (mode == SANDBOX_NAMESPACES)
        return "user, network, mount, pid, ipc and uts namespaces, rlimits";
    snprintf(text, sizeof text, "rlimits, process group, %s", landlock_describe());
    return text;
}

int sandbox_probe(enum sandbox_mode mode, bool note_memory, char *err, size_t errlen)
{
    char msg[UTIL_ERRLEN] = "", *dir = util_workdir_make("sockgrade-probe", msg, sizeof msg);
    int p[2] = { -1, -1 }, rc = -1;
    if (!dir)
        return util_err(err, errlen, "sandbox probe: %s", msg);
    if (pipe(p) < 0) {
        util_err(err, errlen, "sandbox probe: pipe: %s", strerror(errno));
        goto out;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        probe_child(mode, note_memory, dir, p[1]);
    }
    close(p[1]);
    p[1] = -1;
    ssize_t n = pid < 0 ? -1 : read(p[0], msg, sizeof msg - 1);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    msg[n > 0 ? n : 0] = '\0';
    if (n > 0 && msg[0] == 'E')
        util_err(err, errlen, "%s%s", msg + 1, mode == SANDBOX_NAMESPACES ? advice : "");
    else if (n <= 0)
        util_err(err, errlen, "sandbox probe: %s", n < 0 ? strerror(errno) : "the probe died");
    else {
        snprintf(probe_note, sizeof probe_note, "%s", msg + 1);
        rc = 0;
    }
out:
    if (p[0] >= 0)
        close(p[0]);
    util_tree_remove(dir);
    free(dir);
    return rc;
}

const char *sandbox_probe_note(void)
{
    return probe_note;
}
