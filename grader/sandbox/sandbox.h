/* sandbox: runs one program in fresh Linux namespaces and tells what happened.
 *
 * A check runner (a process the grader forked for one check) calls sandbox_enter() once and
 * gets a handle: its own user, network, mount, ipc and uts namespaces, loopback up, the
 * namespace's sysctls set, and a minimal root prepared from the config. The runner then binds
 * its peers (they live in this network namespace), asks the handle where a host path is as the
 * program sees it (sandbox_path), and calls sandbox_start(): the program runs as uid 1000 of a
 * nested user namespace, without capabilities, in a new pid namespace whose init is a small
 * reaper, inside the minimal root. The program cannot see, signal or trace the runner.
 * sandbox_finish() kills the pid namespace (every process, daemons included) and returns the
 * outcome. With SANDBOX_NONE the same calls run the program on the host, confined by rlimits,
 * a process group and Landlock where the kernel has it; the handle hides which. */
#ifndef SOCKGRADE_SANDBOX_H
#define SOCKGRADE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sandbox_mode { SANDBOX_NAMESPACES, SANDBOX_NONE };
const char *sandbox_mode_name(enum sandbox_mode m);
/* What the mode confines on this machine, for reports and warnings: for none, the rlimits, the
 * process group and what Landlock adds here (or that it is absent). */
const char *sandbox_isolation(enum sandbox_mode m);
/* Does each run get a loopback of its own? Then runs may go at once, and no port is held by
 * another run or left in TIME_WAIT by one. Else every run shares the host's loopback: one run
 * at a time, each on ports found free. */
bool sandbox_mode_own_loopback(enum sandbox_mode m);
/* Does the program see what the config makes for it: the lecture's fixed ports (7, 13) free to
 * bind, the config's /etc files and its ephemeral port range? Else it sees the host's. */
bool sandbox_mode_own_ports_and_etc(enum sandbox_mode m);
/* May runs share one work folder? The namespace sandbox only mounts its root over the folder,
 * in the run's own mount namespace, and writes nothing to it; without namespaces the folder is
 * the program's scratch folder and must be the run's own. */
bool sandbox_mode_shares_workdir(enum sandbox_mode m);

/* A file created in the sandbox's root, e.g. the run's /etc/hosts. */
struct sandbox_file {
    const char *path;   /* absolute path inside */
    const char *data;
    size_t len;
};

/* A host path made visible to the program: at inside with namespaces, where it is without. */
struct sandbox_bind {
    const char *host;
    const char *inside;
    bool writable;
};

struct sandbox_config {
    const char *workdir;          /* an empty host folder the sandbox mounts its root on, which
                                     runs may share (sandbox_mode_shares_workdir); without
                                     namespaces: the program's private scratch folder */
    const struct sandbox_file *files;
    size_t nfiles;
    const struct sandbox_bind *binds;
    size_t nbinds;
    uint16_t port_lo, port_hi;    /* the namespace's ephemeral port range (0,0 = default) */
    size_t tmp_bytes;             /* size of the writable /tmp (default 16 MiB) */
    unsigned starts;              /* programs this runner will start (default 1): each needs
                                     one nested user namespace, and no more are allowed */
    bool valgrind;                /* its programs run under Valgrind: with namespaces, the
                                     debug folder shows only the loader's file (debuginfo.h),
                                     all Valgrind needs; other runs see it as it is */
};

struct sandbox_limits {
    int timeout_ms;               /* wall clock, from start */
    unsigned cpu_seconds;
    uint64_t memory_bytes;        /* RLIMIT_AS: each process (0: none, as under Valgrind) */
    uint64_t run_memory_bytes;    /* all of the run's processes together, memfd and shared
                                     memory included: a memory cgroup where one is writable
                                     (default 512 MiB; 0: none) */
    unsigned processes;           /* RLIMIT_NPROC (counted per uid in the nested namespace) */
    uint64_t file_bytes;          /* RLIMIT_FSIZE */
    unsigned nofile_soft, nofile_hard;
    size_t output_cap;            /* bytes kept of stdout and of stderr, each */
};
/* Defaults for a lecture program (documented in docs/security.md). */
void sandbox_limits_default(struct sandbox_limits *l);

struct sandbox_job {
    const char *const *argv;      /* argv[0] as the program sees it (sandbox_path) */
    const char *cwd;              /* as the program sees it; default: the run's writable
                                     scratch folder (/tmp inside, the config's workdir
                                     without namespaces) */
    const char *const *envp;      /* default: empty environment */
    const void *stdin_data;       /* written to the program's stdin, then EOF */
    size_t stdin_len;
    const int *held_fds;          /* descriptor numbers already open when it starts */
    size_t nheld_fds;
    struct sandbox_limits limits;
};

enum sandbox_end {
    END_EXITED,     /* code is valid */
    END_SIGNALED,   /* signal is valid (a crash) */
    END_TIMEOUT,    /* still running at the deadline, killed */
    END_STOPPED,    /* the caller stopped it (a server after its clients) */
    END_FAILED,     /* the sandbox itself failed (an internal error; see error) */
};

struct sandbox_outcome {
    enum sandbox_end end;
    int code;
    int signal;
    char *out;      /* captured stdout (up to output_cap), NUL-terminated */
    size_t out_len;
    bool out_truncated;
    char *err;      /* captured stderr */
    size_t err_len;
    bool err_truncated;
    int64_t wall_ms;
    bool memory_cgroup; /* a cgroup bounded the run's memory as a whole (else rlimits only) */
    bool oom_killed;    /* the kernel killed a process of the run at that bound: end is then
                           END_SIGNALED with SIGKILL, whatever the program did after */
    char error[256];/* END_FAILED: which step failed and why */
};
void sandbox_outcome_free(struct sandbox_outcome *o);

struct sandbox;
struct sandbox_proc;

/* Enters the sandbox in the calling process (a forked runner, single-threaded; this changes it
 * for good). Returns the handle, or NULL with err naming the step that failed. The config's
 * strings are copied. */
struct sandbox *sandbox_enter(enum sandbox_mode mode, const struct sandbox_config *cfg, char *err,
                              size_t errlen);
/* Where a host path is as the program sees it: the path of one of the config's binds, or one
 * beneath it, translated (unchanged without namespaces). A new string; NULL for any other path. */
char *sandbox_path(const struct sandbox *sb, const char *host_path);
/* Frees the handle (the process stays where it entered); after every run has finished. */
void sandbox_free(struct sandbox *sb);

/* Starts a program; the handle must outlive the run. */
int sandbox_start(const struct sandbox *sb, const struct sandbox_job *job,
                  struct sandbox_proc **out, char *err, size_t errlen);
/* A descriptor that becomes readable when the program has ended (for poll). */
int sandbox_end_fd(const struct sandbox_proc *p);
/* The program's own child processes (and theirs) still running, and those left as zombies
 * it has not reaped. Returns 0, or -1 when the process table cannot be read. */
int sandbox_children(const struct sandbox_proc *p, size_t *live, size_t *zombies);
/* Waits until the program ends or deadline_ms (monotonic) passes. Returns true if it ended. */
bool sandbox_wait(struct sandbox_proc *p, int64_t deadline_ms);
/* Asks the program to end (SIGTERM) and waits up to grace_ms for it; a server run under
 * Valgrind needs this to write its report. sandbox_finish still kills what is left. */
void sandbox_terminate(struct sandbox_proc *p, int grace_ms);
/* Ends the run: kills everything left, collects output, frees p. */
void sandbox_finish(struct sandbox_proc *p, struct sandbox_outcome *out);
/* start + wait(timeout) + finish. */
int sandbox_run(const struct sandbox *sb, const struct sandbox_job *job,
                struct sandbox_outcome *out, char *err, size_t errlen);

/* Once, from main, before any sandbox is entered: what of the grader itself no program may
 * read. data_dir (specs and references) stays hidden even where it lies under a folder the
 * sandbox mounts (an install under /usr/share); the argv strings (argv_area, argv_len bytes,
 * from main) are overwritten in each run's init, a copy of the grader, so that a program never
 * reads the grader's command line from /proc/1/cmdline. It also reads once what every run asks
 * about the grader's own process (its uid maps, its cgroups), which the runners inherit. */
void sandbox_protect_grader(const char *data_dir, char *argv_area, size_t argv_len);

/* Builds a throw-away sandbox and runs /bin/true in it: proves the mode works here. On failure
 * err names the step that failed and what to do about it. With note_memory, the run also joins
 * a memory cgroup as a check's run would, to find out how memory is bounded here. */
int sandbox_probe(enum sandbox_mode mode, bool note_memory, char *err, size_t errlen);
/* After a successful probe with note_memory: how memory is bounded here (a cgroup per run, or
 * why only per-process rlimits), for selftest to show. "" before. */
const char *sandbox_probe_note(void);

#endif
