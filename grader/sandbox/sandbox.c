/* sandbox: the handle. sandbox_enter() makes it and enters the mode's way (sandbox_ns.c or
 * sandbox_none.c); the handle then answers where the program sees a host path, and every run
 * (sandbox_proc.c) reads what it needs from it. What a mode means for the grader's scheduling
 * is answered here too, so that no caller tests the mode itself. */
#include "sandbox_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

/* Facts about the grader's own process, set once by main before any runner is forked, which
 * inherits them: the folder no program may read, and the memory the kernel shows as the
 * process's command line (argv is per process, so this cannot belong to a handle). */
static char hidden_path[PATH_MAX];
static char *argv_area;
static size_t argv_len;

void sandbox_protect_grader(const char *data_dir, char *area, size_t len)
{
    if (!data_dir || !realpath(data_dir, hidden_path))
        hidden_path[0] = '\0';
    argv_area = area;
    argv_len = len;
    sandbox_ns_prime();
}

const char *sandbox_mode_name(enum sandbox_mode m)
{
    return m == SANDBOX_NAMESPACES ? "namespaces" : "none";
}

bool sandbox_mode_own_loopback(enum sandbox_mode m)
{
    return m == SANDBOX_NAMESPACES;
}

bool sandbox_mode_own_ports_and_etc(enum sandbox_mode m)
{
    return m == SANDBOX_NAMESPACES;
}

bool sandbox_mode_shares_workdir(enum sandbox_mode m)
{
    return m == SANDBOX_NAMESPACES;
}

struct sandbox *sandbox_enter(enum sandbox_mode mode, const struct sandbox_config *cfg, char *err,
                              size_t errlen)
{
    struct sandbox *sb = xcalloc(1, sizeof *sb);
    sb->mode = mode;
    sb->landlock_fd = -1;
    sb->hidden = hidden_path;
    sb->argv_area = argv_area;
    sb->argv_len = argv_len;
    sb->workdir = xstrdup(cfg->workdir);
    sb->binds = xcalloc(cfg->nbinds ? cfg->nbinds : 1, sizeof *sb->binds);
    for (size_t i = 0; i < cfg->nbinds; i++, sb->nbinds++) {
        sb->binds[i].host = xstrdup(cfg->binds[i].host);
        sb->binds[i].inside = xstrdup(cfg->binds[i].inside);
        sb->binds[i].writable = cfg->binds[i].writable;
    }
    int rc = mode == SANDBOX_NONE ? sandbox_none_enter(sb, cfg, err, errlen)
                                  : sandbox_ns_enter(sb, cfg, err, errlen);
    if (rc < 0) {
        sandbox_free(sb);
        return NULL;
    }
    return sb;
}

/* The part of path below folder ("" for the folder itself, else from its '/'), or NULL. A
 * trailing '/' of folder does not count: "/a/" holds "/a/b" and "/" holds every path. */
static const char *path_below(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    while (n > 0 && folder[n - 1] == '/')
        n--;
    if (strncmp(path, folder, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        return NULL;
    return path + n;
}

char *sandbox_path(const struct sandbox *sb, const char *host_path)
{
    for (size_t i = 0; i < sb->nbinds; i++) {
        const char *rest = path_below(host_path, sb->binds[i].host);
        if (!rest)
            continue;
        if (sb->mode == SANDBOX_NONE) /* nothing is mounted: the program sees the host */
            return xstrdup(host_path);
        return xasprintf("%s%s", sb->binds[i].inside, rest);
    }
    return NULL;
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    for (size_t i = 0; i < sb->nbinds; i++) {
        free((char *)sb->binds[i].host);
        free((char *)sb->binds[i].inside);
    }
    free(sb->binds);
    free(sb->workdir);
    if (sb->landlock_fd >= 0)
        close(sb->landlock_fd);
    free(sb);
}
