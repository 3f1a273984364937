/* sandbox_int: what the sandbox's files share. sandbox.c makes the handle and enters through
 * sandbox_ns.c (namespaces and root) or sandbox_none.c (no namespaces); sandbox_proc.c starts
 * and ends a run, and sandbox_child.c is init and the program's child before exec. Calls go
 * that way only: sandbox.c -> sandbox_ns.c, sandbox_none.c; sandbox_proc.c -> sandbox_child.c
 * -> sandbox_none.c. Also what the unit tests need beyond sandbox.h. */
#ifndef SOCKGRADE_SANDBOX_INT_H
#define SOCKGRADE_SANDBOX_INT_H

#include <limits.h>

#include "sandbox.h"

/* When the grader runs as root, the program runs as this kernel uid (uid 1000 inside): an
 * unprivileged identity of its own, so RLIMIT_NPROC applies and host-owned /proc/sys files stay
 * closed to it. Unprivileged graders map the program to their own uid through a nested user
 * namespace instead. */
#define SANDBOX_HOST_UID 1999000000u

#define SETUP_FD 900 /* where a run's init keeps its error pipe until the program's exec */

/* The handle: everything a run needs to know about the sandbox it runs in. Forked children
 * (init, the program's child) read their copy of it. */
struct sandbox {
    enum sandbox_mode mode;
    struct sandbox_bind *binds;  /* the config's, copied: sandbox_path answers from them */
    size_t nbinds;
    char *workdir;               /* the config's private folder */
    const char *cwd;             /* the program's default working folder, as it sees it */
    const char *hidden;          /* the grader's data folder, or "" (sandbox_protect_grader) */
    char *argv_area;             /* the grader's argv strings, which init overwrites */
    size_t argv_len;
    bool root_mapped;            /* namespaces: uid 1000 of the runner's namespace is
                                    SANDBOX_HOST_UID */
    char root[1024];             /* namespaces: the prepared root (a host path) */
    int landlock_fd;             /* none: the Landlock ruleset the program enforces, or -1 */
    char tmpdir_var[1040];       /* none: "TMPDIR=" the run's work folder */
};

/* sandbox_ns.c: enters the namespaces and prepares the root from the config. */
int sandbox_ns_enter(struct sandbox *sb, const struct sandbox_config *cfg, char *err,
                     size_t errlen);
/* Reads the grader's own facts every run asks (may it map SANDBOX_HOST_UID, its cgroups) once,
 * before the runners are forked, so that each inherits them instead of reading them again. */
void sandbox_ns_prime(void);

/* sandbox_none.c: builds the Landlock ruleset from the config's folders (the hidden folder
 * stays closed even under a system folder) and the program's TMPDIR. */
int sandbox_none_enter(struct sandbox *sb, const struct sandbox_config *cfg, char *err,
                       size_t errlen);
/* In the program's child just before exec (system calls only): enforces the ruleset and makes
 * the environment, envp plus TMPDIR, in env (room for max entries). -1 with errno. */
int sandbox_none_confine(const struct sandbox *sb, const char *const *envp, const char **env,
                         size_t max);

/* Init of a run (sandbox_child.c), in the new pid namespace: enters the root, starts the
 * program, writes its wait status to status_fd and ends with it. */
_Noreturn void sandbox_init_main(const struct sandbox *sb, const struct sandbox_job *job,
                                 int status_fd, int in_fd, int out_fd, int err_fd);

/* sandbox_proc.c */
const char *sandbox_end_name(enum sandbox_end e);

/* For unit tests of peers and drivers: moves the calling process into a fresh user+network
 * namespace with loopback up, so that they own ports 7 and 13 without touching the host. */
int sandbox_isolate_net(char *err, size_t errlen);

#endif
