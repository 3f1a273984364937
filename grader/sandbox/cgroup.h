/* cgroup: a memory cgroup (and a pids cgroup) per sandbox run.
 *
 * RLIMIT_AS bounds each process alone; memory a run holds across processes (children, memfd
 * files, System V segments, tmpfs files) is bounded only by a group that is charged for every
 * page any of the run's processes allocates. The runner creates the group before it starts
 * the run's init, moves init into it before init forks the program (so every descendant is
 * charged), and removes it when the run ends. When the group is full the kernel's OOM killer
 * kills a process of the run.
 *
 * cgroup v2 (/sys/fs/cgroup is cgroup2 with the memory controller): groups are
 * /sys/fs/cgroup/sockgrade/run-PID-N-PIDNS with memory.max, memory.swap.max 0, memory.oom.group 1
 * and pids.max. cgroup v1 (/sys/fs/cgroup/memory and /sys/fs/cgroup/pids hierarchies): groups
 * are <hierarchy>/<the grader's own group>/sockgrade/run-PID-N-PIDNS with memory.limit_in_bytes,
 * memory.memsw.limit_in_bytes (where swap is accounted) and pids.max. Where neither is
 * writable (an unprivileged grader without delegation, a read-only /sys/fs/cgroup)
 * cgroup_run_create fails and says why; the caller then keeps its rlimits only. */
#ifndef SOCKGRADE_CGROUP_H
#define SOCKGRADE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cgroup_run;

/* Creates a group for one run: at most limit_bytes of memory for all its processes together
 * (no swap), and at most pids_max tasks (0: no task limit; the pids controller is optional).
 * Also removes empty groups left by dead processes. */
int cgroup_run_create(uint64_t limit_bytes, unsigned pids_max, struct cgroup_run **out,
                      char *err, size_t errlen);
/* Moves pid into the group; what it forks from then on is in the group too. */
int cgroup_run_attach(struct cgroup_run *cg, pid_t pid, char *err, size_t errlen);
/* Whether the kernel killed a process of the group because the group was full. */
bool cgroup_run_oom_killed(const struct cgroup_run *cg);
/* Kills whatever is left in the group, removes it and frees cg (NULL is fine). */
void cgroup_run_destroy(struct cgroup_run *cg);

/* Reads once what every run of this process and of its children asks about the process
 * itself (its pid namespace, its own v1 groups); the grader calls it before forking runners.
 * Without it each process reads them once, at its first run. */
void cgroup_prime(void);

/* 1 or 2; and the group's folder (the memory group's, in v1). */
int cgroup_run_version(const struct cgroup_run *cg);
const char *cgroup_run_path(const struct cgroup_run *cg);

#endif
