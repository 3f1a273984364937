/* cgroup: a memory cgroup (and a pids cgroup) per sandbox run; see cgroup.h. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_PARENT "sockgrade"

enum { CG_MEMORY, CG_PIDS, CG_NDIRS };

struct cgroup_run {
    int version;
    char *dir[CG_NDIRS]; /* v1: the run's group in each hierarchy; v2: one group, dir[CG_MEMORY] */
};

int cgroup_run_version(const struct cgroup_run *cg)
{
    return cg->version;
}

const char *cgroup_run_path(const struct cgroup_run *cg)
{
    return cg->dir[CG_MEMORY];
}

/* Writes text to dir/name; errno is set on failure. */
static int write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return -1;
    int rc = util_write_all(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* optional: a file the kernel may lack (swap not accounted, a controller not enabled). */
static int set_value(const char *dir, const char *name, const char *text, bool optional,
                     char *err, size_t errlen)
{
    if (write_file(dir, name, text) == 0 || (optional && errno == ENOENT))
        return 0;
    return util_err(err, errlen, "cgroup: write %s to %s/%s: %s", text, dir, name, strerror(errno));
}

static bool is_fs(const char *path, long magic)
{
    struct statfs st;
    return statfs(path, &st) == 0 && st.f_type == magic;
}

/* Whether list (words separated by any of seps) holds word. */
static bool has_word(const char *list, const char *word, const char *seps)
{
    size_t n = strlen(word);
    for (const char *p = list; *p; p += strcspn(p, seps), p += strspn(p, seps))
        if (strncmp(p, word, n) == 0 && (p[n] == '\0' || strchr(seps, p[n])))
            return true;
    return false;
}

static bool file_has_word(const char *path, const char *word)
{
    char *text = util_read_file(path, NULL, NULL, 0);
    bool found = text && has_word(text, word, " \n");
    free(text);
    return found;
}

/* The value after "key " on a line of a flat-keyed file (memory.events, memory.oom_control). */
static uint64_t read_key(const char *dir, const char *name, const char *key)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *text = util_read_file(path, NULL, NULL, 0);
    uint64_t v = 0;
    size_t n = strlen(key);
    for (char *line = text; line && *line; line += strcspn(line, "\n"), line += *line == '\n')
        if (strncmp(line, key, n) == 0 && line[n] == ' ')
            v = strtoull(line + n + 1, NULL, 10);
    free(text);
    free(path);
    return v;
}

/* The grader's own group in a v1 hierarchy, from /proc/self/cgroup ("4:memory:/a/b"), as a
 * prefix to append to the hierarchy's mount ("" for its root). */
static char *own_group_v1(const char *controller)
{
    char *text = util_read_file("/proc/self/cgroup", NULL, NULL, 0), *found = NULL, *save = NULL;
    for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line && !found;
         line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        if (has_word(c1 + 1, controller, ","))
            found = xstrdup(strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
    }
    free(text);
    return found;
}

/* Facts of the grader's process that every run asks again: read once per process, and by the
 * grader once for all of its runners, which inherit them (cgroup_prime). A process keeps its
 * pid namespace; the grader's own groups are where it started grading. */
static struct {
    bool pidns_read, own_read[CG_NDIRS];
    unsigned long pidns;
    char *own[CG_NDIRS];
} facts;

/* The pid namespace this process is in: a group's name carries it, because the pid in the
 * name means something only there (a grader in a container shares the v1 hierarchies with
 * the host, and kill() from one namespace cannot see the other's pids). */
static unsigned long own_pidns(void)
{
    struct stat st;
    if (!facts.pidns_read) {
        facts.pidns = stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long)st.st_ino : 0;
        facts.pidns_read = true;
    }
    return facts.pidns;
}

/* Removes the empty groups of processes that died before removing them (a crashed runner).
 * rmdir refuses a group that still holds a process; and a group made in another pid
 * namespace is never judged from here, since its owner's pid cannot be seen (a live run's
 * group is empty for a moment, made but not yet joined, and was once swept that way). */
static void sweep_stale(const char *parent)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    unsigned long ns = own_pidns();
    pid_t me = getpid();
    while (d && (e = readdir(d))) {
        int pid;
        unsigned n;
        unsigned long their_ns;
        char extra;
        if (sscanf(e->d_name, "run-%d-%u-%lu%c", &pid, &n, &their_ns, &extra) != 3 ||
            pid <= 0 || their_ns != ns || pid == me || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char *dir = xasprintf("%s/%s", parent, e->d_name);
        if (rmdir(dir) == 0) /* said, since only a grader killed mid-run leaves one */
            warn("removed %s, the cgroup of a grader process that died (pid %d)", dir, pid);
        free(dir);
    }
    if (d)
        closedir(d);
}

/* A new group under parent, named for this process and a counter: runners in many processes
 * create groups at once, and a group of someone else's is never taken over (EEXIST). */
static char *make_run_dir(const char *parent, char *err, size_t errlen)
{
    static unsigned counter;
    if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
        util_err(err, errlen, "cgroup: mkdir %s: %s", parent, strerror(errno));
        return NULL;
    }
    sweep_stale(parent);
    for (int tries = 0; tries < 16; tries++) {
        unsigned n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        char *dir = xasprintf("%s/run-%d-%u-%lu", parent, (int)getpid(), n, own_pidns());
        if (mkdir(dir, 0755) == 0)
            return dir;
        int saved = errno;
        free(dir);
        if (saved != EEXIST) {
            util_err(err, errlen, "cgroup: mkdir in %s: %s", parent, strerror(saved));
            return NULL;
        }
    }
    util_err(err, errlen, "cgroup: no free group name in %s", parent);
    return NULL;
}

/* own_group_v1 of CG_MEMORY or CG_PIDS, read once (facts); NULL if there is none. */
static const char *own_group(int which)
{
    if (!facts.own_read[which]) {
        facts.own[which] = own_group_v1(which == CG_MEMORY ? "memory" : "pids");
        facts.own_read[which] = true;
    }
    return facts.own[which];
}

void cgroup_prime(void)
{
    (void)own_pidns();
    if (is_fs(CG_ROOT "/memory", CGROUP_SUPER_MAGIC)) {
        (void)own_group(CG_MEMORY);
        (void)own_group(CG_PIDS);
    }
}

/* v1: the run's group inside the grader's own group of the controller's hierarchy (the
 * grader may sit in a group of a container or a service, which bounds it and its runs). */
static char *make_v1_group(int which, char *err, size_t errlen)
{
    const char *controller = which == CG_MEMORY ? "memory" : "pids", *own = own_group(which);
    if (!own) {
        util_err(err, errlen, "cgroup: /proc/self/cgroup names no %s group", controller);
        return NULL;
    }
    char *parent = xasprintf(CG_ROOT "/%s%s/" CG_PARENT, controller, own);
    char *dir = make_run_dir(parent, err, errlen);
    free(parent);
    return dir;
}

static int create_v1(struct cgroup_run *cg, uint64_t limit, unsigned pids_max, char *err,
                     size_t errlen)
{
    char num[32];
    cg->version = 1;
    if (!(cg->dir[CG_MEMORY] = make_v1_group(CG_MEMORY, err, errlen)))
        return -1;
    /* memsw (memory and swap together) must not be below the memory limit: set it second. */
    snprintf(num, sizeof num, "%" PRIu64, limit);
    if (set_value(cg->dir[CG_MEMORY], "memory.limit_in_bytes", num, false, err, errlen) < 0 ||
        set_value(cg->dir[CG_MEMORY], "memory.memsw.limit_in_bytes", num, true, err, errlen) < 0)
        return -1;
    /* The pids group is a second line behind RLIMIT_NPROC: one that cannot be made or
     * limited is dropped, never the memory bound with it. */
    if (!pids_max || !is_fs(CG_ROOT "/pids", CGROUP_SUPER_MAGIC) ||
        !(cg->dir[CG_PIDS] = make_v1_group(CG_PIDS, NULL, 0)))
        return 0;
    snprintf(num, sizeof num, "%u", pids_max);
    if (write_file(cg->dir[CG_PIDS], "pids.max", num) < 0) {
        rmdir(cg->dir[CG_PIDS]);
        free(cg->dir[CG_PIDS]);
        cg->dir[CG_PIDS] = NULL;
    }
    return 0;
}

/* v2: CG_ROOT/sockgrade must offer memory (and, where possible, pids) to its children. The
 * root group is exempt from the rule that a group with processes cannot give controllers to
 * its children, and sockgrade/ never holds a process itself. */
static int prepare_v2(char *err, size_t errlen)
{
    const char *parent = CG_ROOT "/" CG_PARENT;
    if (mkdir(parent, 0755) < 0 && errno != EEXIST)
        return util_err(err, errlen, "cgroup: mkdir %s: %s", parent, strerror(errno));
    if (!file_has_word(CG_ROOT "/" CG_PARENT "/cgroup.controllers", "memory") &&
        set_value(CG_ROOT, "cgroup.subtree_control", "+memory", false, err, errlen) < 0)
        return -1;
    if (!file_has_word(CG_ROOT "/" CG_PARENT "/cgroup.controllers", "pids"))
        (void)write_file(CG_ROOT, "cgroup.subtree_control", "+pids");
    if (!file_has_word(CG_ROOT "/" CG_PARENT "/cgroup.subtree_control", "memory") &&
        set_value(parent, "cgroup.subtree_control", "+memory", false, err, errlen) < 0)
        return -1;
    if (!file_has_word(CG_ROOT "/" CG_PARENT "/cgroup.subtree_control", "pids"))
        (void)write_file(parent, "cgroup.subtree_control", "+pids");
    return 0;
}

static int create_v2(struct cgroup_run *cg, uint64_t limit, unsigned pids_max, char *err,
                     size_t errlen)
{
    char num[32], pids[32];
    cg->version = 2;
    if (prepare_v2(err, errlen) < 0 ||
        !(cg->dir[CG_MEMORY] = make_run_dir(CG_ROOT "/" CG_PARENT, err, errlen)))
        return -1;
    const char *dir = cg->dir[CG_MEMORY];
    snprintf(num, sizeof num, "%" PRIu64, limit);
    snprintf(pids, sizeof pids, "%u", pids_max);
    /* oom.group: an OOM kill ends the whole run at once, not one process after another. */
    if (set_value(dir, "memory.max", num, false, err, errlen) < 0 ||
        set_value(dir, "memory.swap.max", "0", true, err, errlen) < 0 ||
        set_value(dir, "memory.oom.group", "1", true, err, errlen) < 0 ||
        (pids_max && set_value(dir, "pids.max", pids, true, err, errlen) < 0))
        return -1;
    return 0;
}

int cgroup_run_create(uint64_t limit_bytes, unsigned pids_max, struct cgroup_run **out,
                      char *err, size_t errlen)
{
    struct cgroup_run *cg = xcalloc(1, sizeof *cg);
    int rc;
    *out = NULL;
    if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC) && file_has_word(CG_ROOT "/cgroup.controllers", "memory"))
        rc = create_v2(cg, limit_bytes, pids_max, err, errlen);
    else if (is_fs(CG_ROOT "/memory", CGROUP_SUPER_MAGIC))
        rc = create_v1(cg, limit_bytes, pids_max, err, errlen);
    else
        rc = util_err(err, errlen, "cgroup: no memory controller at " CG_ROOT " (neither a cgroup2 "
                      "mount with memory in cgroup.controllers nor a v1 memory hierarchy)");
    if (rc < 0) {
        cgroup_run_destroy(cg);
        return -1;
    }
    *out = cg;
    return 0;
}

int cgroup_run_attach(struct cgroup_run *cg, pid_t pid, char *err, size_t errlen)
{
    char num[24];
    snprintf(num, sizeof num, "%d", (int)pid);
    /* The memory group first: if it cannot take the process, nothing holds it and the caller
     * may destroy the groups. Once it has, a failure of the pids group (v1) is not a reason to
     * destroy anything: destroying kills the members, and the member is the run's own init
     * (seen as runs "killed by signal 9" when another grader swept the pids group). The pids
     * group is then left out, and RLIMIT_NPROC still bounds the run's processes. */
    if (set_value(cg->dir[CG_MEMORY], "cgroup.procs", num, false, err, errlen) < 0)
        return -1;
    if (cg->dir[CG_PIDS] && set_value(cg->dir[CG_PIDS], "cgroup.procs", num, false, NULL, 0) < 0) {
        rmdir(cg->dir[CG_PIDS]);
        free(cg->dir[CG_PIDS]);
        cg->dir[CG_PIDS] = NULL;
    }
    return 0;
}

bool cgroup_run_oom_killed(const struct cgroup_run *cg)
{
    /* v1 counts kills in memory.oom_control (Linux 4.13 and later), v2 in memory.events. */
    return read_key(cg->dir[CG_MEMORY], cg->version == 2 ? "memory.events" : "memory.oom_control",
                    "oom_kill") > 0;
}

#define MEMBERS_MAX 64

/* Kills the group's members; fds gets a pidfd of each it can (at most max), to wait on, and
 * *killed how many there were. Returns how many pidfds. */
static size_t kill_members(const char *dir, int *fds, size_t max, size_t *killed)
{
    char *path = xasprintf("%s/cgroup.procs", dir);
    char *text = util_read_file(path, NULL, NULL, 0), *end;
    size_t n = 0;
    *killed = 0;
    for (char *s = text; s && *s; s = end) {
        long pid = strtol(s, &end, 10);
        if (end == s)
            break;
        if (pid <= 0)
            continue;
        int fd = n < max ? (int)syscall(SYS_pidfd_open, (pid_t)pid, 0) : -1;
        kill((pid_t)pid, SIGKILL);
        ++*killed;
        if (fd >= 0)
            fds[n++] = fd;
    }
    free(text);
    free(path);
    return n;
}

/* In the namespace sandbox every member died with init before this; with --sandbox none a
 * process may have left init's process group, and only the group still finds it. A killed
 * task leaves the group when it exits, so rmdir is retried once each killed member's pidfd
 * says it has, for up to a second. Where there is no pidfd to wait on (no pidfd_open: Linux
 * before 5.3, and Valgrind 3.19, under which make memcheck runs the unit tests; or a group
 * still busy while cgroup.procs lists no one, a member between its exit and its release) the
 * retry waits 5 ms instead, never spinning: the only fixed wait left, on a path the namespace
 * sandbox never takes. */
static void remove_group(const char *dir, int version)
{
    int64_t deadline = util_now_ms() + 1000;
    int fds[MEMBERS_MAX];
    size_t killed;
    if (version == 2)
        (void)write_file(dir, "cgroup.kill", "1");
    while (rmdir(dir) < 0 && errno == EBUSY && util_now_ms() < deadline) {
        size_t n = kill_members(dir, fds, MEMBERS_MAX, &killed);
        for (size_t i = 0; i < n; i++) {
            struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
            int64_t left = deadline - util_now_ms();
            if (left > 0)
                (void)poll(&pfd, 1, (int)left);
            close(fds[i]);
        }
        if (n == 0) { /* nothing to wait on: no pidfd_open, or members between exit and release */
            struct timespec pause = { 0, 5 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
    }
}

void cgroup_run_destroy(struct cgroup_run *cg)
{
    if (!cg)
        return;
    for (int i = 0; i < CG_NDIRS; i++) {
        if (cg->dir[i])
            remove_group(cg->dir[i], cg->version);
        free(cg->dir[i]);
    }
    free(cg);
}
