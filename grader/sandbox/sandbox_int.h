/* sandbox_int: what sandbox.c (namespaces and root) shares with sandbox_proc.c (processes)
 * and sandbox_child.c (init and the program's child before exec). */
#ifndef SOCKGRADE_SANDBOX_INT_H
#define SOCKGRADE_SANDBOX_INT_H

#include <limits.h>

#include "sandbox.h"

/* When the grader runs as root, the program runs as this kernel uid (uid 1000 inside): an
 * unprivileged identity of its own, so RLIMIT_NPROC applies and host-owned /proc/sys files stay
 * closed to it. Unprivileged graders map the program to their own uid through a nested user
 * namespace instead. */
#define SANDBOX_HOST_UID 1999000000u

struct sandbox_state {
    enum sandbox_mode mode;
    int entered;
    int root_mapped;     /* uid 1000 of the runner's namespace is SANDBOX_HOST_UID */
    char root[1024]; /* the prepared root (namespaces mode) */
    int landlock_fd;     /* mode none: the Landlock ruleset the program enforces, or -1 */
    char tmpdir_var[1040]; /* mode none: "TMPDIR=" the run's work folder */
};

extern struct sandbox_state sandbox_state;

#define SETUP_FD 900 /* where a run's init keeps its error pipe until the program's exec */

/* Mode none (sandbox_child.c): builds the Landlock ruleset from the config's folders (hidden
 * stays closed even under a system folder) and the program's TMPDIR. */
int sandbox_none_prepare(const struct sandbox_config *cfg, const char *hidden, char *err,
                         size_t errlen);

/* Init of a run (sandbox_child.c), in the new pid namespace: enters the root, starts the
 * program, writes its wait status to status_fd and ends with it. */
_Noreturn void sandbox_init_main(const struct sandbox_job *job, int status_fd, int in_fd,
                                 int out_fd, int err_fd);

#endif
