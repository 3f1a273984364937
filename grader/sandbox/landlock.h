/* landlock: what still confines a program graded without namespaces (--sandbox none).
 *
 * The runner builds a Landlock ruleset once (landlock_ruleset_build): read and execute beneath
 * the system's folders, read of the few /etc files a lecture program or the compiler opens,
 * read and write of five device nodes, plus the folders the caller names (the program or the
 * source, the run's work folder). The program's process applies it just before exec
 * (landlock_enforce). Everything else on the host (home folders, other submissions, the
 * references, the grader's data, /proc, /tmp) is closed to it. Where the kernel's Landlock ABI
 * allows (v6 and up), signals and abstract unix sockets are scoped too: the program cannot
 * signal the grader (kill(-1) included) nor reach an abstract socket made outside its run.
 * Each ABI version adds what it can; an older kernel gets the subset it knows (best effort, as
 * the kernel's documentation recommends), and a kernel without Landlock gets none of it. */
#ifndef SOCKGRADE_LANDLOCK_H
#define SOCKGRADE_LANDLOCK_H

#include <stddef.h>

/* The kernel's Landlock ABI version, 0 when it offers none (not built in, disabled at boot, or
 * a seccomp filter refuses the call). Asked once. */
int landlock_abi(void);

/* What Landlock confines here, for reports: e.g. "landlock v7 (files, signals, abstract unix
 * sockets)", or "no landlock (...)" with the reason. */
const char *landlock_describe(void);

struct landlock_paths {
    const char *const *read;    /* read and execute beneath these (folders or files) */
    size_t nread;
    const char *const *write;   /* read, write, create and remove beneath these */
    size_t nwrite;
    const char *hidden;         /* a folder that stays closed even under a system folder (an
                                   installed grader's data under /usr/share), or NULL */
};

/* Builds the ruleset; returns its descriptor (close-on-exec), or -1 with err. A path of p that
 * does not exist is an error; a system folder that does not exist (/lib32) is skipped. */
int landlock_ruleset_build(const struct landlock_paths *p, char *err, size_t errlen);

/* In the program's process, just before exec: sets no_new_privs and restricts the process to
 * the ruleset. Only system calls (safe after fork in a threaded runner); -1 with errno. */
int landlock_enforce(int ruleset_fd);

#endif
