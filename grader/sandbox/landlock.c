/* landlock: the ruleset that confines a program graded without namespaces (see landlock.h).
 * Raw system calls and <linux/landlock.h>: glibc has no wrappers, and no library is needed. */
#include "landlock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/util.h"

/* The build machine's headers may predate the newer ABIs; the numbers are the kernel's ABI. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* The ruleset attribute as of ABI 6. An older kernel accepts the larger struct as long as the
 * fields it does not know are zero, which handled_for() guarantees. */
struct ruleset_attr {
    __u64 handled_access_fs;
    __u64 handled_access_net;
    __u64 scoped;
};

#define FS_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* The only rights that mean something on a file (the others are about a folder's entries). */
#define FS_ON_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
                    LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* No ioctl on devices: /dev/random's ioctls change the host's entropy accounting. */
#define FS_DEVICE (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                   LANDLOCK_ACCESS_FS_TRUNCATE)

static const char *const system_dirs[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                           "/libx32" };
/* What the dynamic loader, the C library's lookups (files only) and the compiler open in /etc;
 * the rest of /etc (shadow, hostname, machine-id, credentials) stays closed. */
static const char *const etc_files[] = { "/etc/ld.so.cache", "/etc/passwd", "/etc/group",
                                         "/etc/hosts", "/etc/services", "/etc/protocols",
                                         "/etc/networks", "/etc/nsswitch.conf", "/etc/host.conf",
                                         "/etc/gai.conf", "/etc/localtime", "/etc/locale.alias" };
static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                       "/dev/urandom" };

static int abi_errno;

int landlock_abi(void)
{
    static int abi = -1;
    if (abi < 0) {
        long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        abi_errno = v < 0 ? errno : 0;
        abi = v < 0 ? 0 : (int)v;
    }
    return abi;
}

const char *landlock_describe(void)
{
    static char text[128];
    int abi = landlock_abi();
    if (abi >= 6)
        snprintf(text, sizeof text, "landlock v%d (files, signals, abstract unix sockets)", abi);
    else if (abi > 0)
        snprintf(text, sizeof text, "landlock v%d (files only: signals and abstract unix sockets "
                 "need v6)", abi);
    else if (abi_errno == ENOSYS)
        snprintf(text, sizeof text, "no landlock (not in this kernel)");
    else if (abi_errno == EOPNOTSUPP)
        snprintf(text, sizeof text, "no landlock (disabled at boot: add landlock to lsm=)");
    else
        snprintf(text, sizeof text, "no landlock (%s)", strerror(abi_errno));
    return text;
}

/* What this ABI can restrict: each version handles what the ones before did, and more. */
static struct ruleset_attr handled_for(int abi)
{
    struct ruleset_attr a = { (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1, 0, 0 }; /* ABI 1 */
    if (abi >= 2)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        a.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if (abi >= 6)
        a.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
    return a;
}

struct build {
    int fd;
    __u64 handled;
    const char *hidden;   /* a real path, or NULL */
    char *err;
    size_t errlen;
};

/* Allows access beneath path (a file gets only the rights a file can have). An optional path
 * that does not exist is skipped. */
static int add_path(struct build *b, const char *path, __u64 access, bool optional)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0 && optional && errno == ENOENT)
        return 0;
    if (fd < 0)
        return util_err(b->err, b->errlen, "landlock: open %s: %s", path, strerror(errno));
    struct stat st;
    struct landlock_path_beneath_attr pb = { .allowed_access = access & b->handled, .parent_fd = fd };
    int rc = fstat(fd, &st);
    if (rc == 0 && !S_ISDIR(st.st_mode))
        pb.allowed_access &= FS_ON_FILE;
    if (rc == 0)
        rc = (int)syscall(SYS_landlock_add_rule, b->fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int saved = errno;
    close(fd);
    if (rc < 0)
        return util_err(b->err, b->errlen, "landlock: allow %s: %s", path, strerror(saved));
    return 0;
}

static bool is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Allows reading path but not the hidden folder inside it. Landlock only ever adds access, so a
 * folder above the hidden one is replaced by its other entries, level by level. */
static int add_read(struct build *b, const char *path, bool optional)
{
    char real[PATH_MAX], child[PATH_MAX];
    if (!b->hidden || !realpath(path, real) || !is_within(b->hidden, real))
        return add_path(b, path, FS_READ, optional);
    if (strcmp(real, b->hidden) == 0)
        return 0;
    DIR *d = opendir(real);
    if (!d)
        return util_err(b->err, b->errlen, "landlock: list %s: %s", real, strerror(errno));
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        struct stat st;
        /* A link would allow its target's whole tree; through the link, the target is open
         * only where another rule allows it. */
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
            continue;
        if (snprintf(child, sizeof child, "%s/%s", real, de->d_name) < (int)sizeof child)
            rc = add_read(b, child, true);
    }
    closedir(d);
    return rc;
}

static int add_rules(struct build *b, const struct landlock_paths *p)
{
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        if (add_read(b, system_dirs[i], true) < 0)
            return -1;
    for (size_t i = 0; i < sizeof etc_files / sizeof etc_files[0]; i++)
        if (add_path(b, etc_files[i], LANDLOCK_ACCESS_FS_READ_FILE, true) < 0)
            return -1;
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (add_path(b, devices[i], FS_DEVICE, true) < 0)
            return -1;
    for (size_t i = 0; i < p->nread; i++)
        if (add_read(b, p->read[i], false) < 0)
            return -1;
    for (size_t i = 0; i < p->nwrite; i++)
        if (add_path(b, p->write[i], b->handled, false) < 0)
            return -1;
    return 0;
}

int landlock_ruleset_build(const struct landlock_paths *p, char *err, size_t errlen)
{
    char hidden[PATH_MAX];
    int abi = landlock_abi();
    if (abi <= 0)
        return util_err(err, errlen, "landlock: %s", landlock_describe());
    struct ruleset_attr attr = handled_for(abi);
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (fd < 0)
        return util_err(err, errlen, "landlock: create ruleset: %s", strerror(errno));
    bool hide = p->hidden && p->hidden[0] && realpath(p->hidden, hidden);
    struct build b = { fd, attr.handled_access_fs, hide ? hidden : NULL, err, errlen };
    if (add_rules(&b, p) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The process's own /proc/<pid> (Valgrind reads /proc/self/maps): only the process itself can
 * name it, so the rule is added here. It lands in the runner's ruleset too, where it stays
 * harmless: a later process never has that /proc folder, even with the same pid. */
static int allow_own_proc(int ruleset_fd)
{
    int fd = open("/proc/self", O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1; /* no /proc mounted: nothing to allow */
    struct landlock_path_beneath_attr pb = {
        .allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
        .parent_fd = fd,
    };
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int landlock_enforce(int ruleset_fd)
{
    /* An unprivileged process may restrict itself only once it can gain no privilege back. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || allow_own_proc(ruleset_fd) < 0)
        return -1;
    if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) < 0)
        return -1;
    return close(ruleset_fd);
}
