/* sandbox_none: the sandbox without namespaces (--sandbox none). The program runs on the host
 * as the grader's user; what still confines it is made here: at enter, a Landlock ruleset (the
 * system's folders read-only, the config's binds as given, the run's work folder writable) and
 * a TMPDIR in that folder; in the program's child, just before exec, their use. The rlimits and
 * the process group are sandbox_child.c's, as with namespaces. */
#include <stdio.h>
#include <stdlib.h>

#include "landlock.h"
#include "sandbox_int.h"
#include "util/util.h"

int sandbox_none_enter(struct sandbox *sb, const struct sandbox_config *cfg, char *err,
                       size_t errlen)
{
    const char **ro = xcalloc(cfg->nbinds + 1, sizeof *ro), **rw = xcalloc(cfg->nbinds + 1, sizeof *rw);
    struct landlock_paths lp = { ro, 0, rw, 0, sb->hidden };
    snprintf(sb->tmpdir_var, sizeof sb->tmpdir_var, "TMPDIR=%s", cfg->workdir);
    sb->cwd = sb->workdir; /* nothing is mounted: its scratch folder is the run's work folder */
    rw[lp.nwrite++] = cfg->workdir;
    for (size_t i = 0; i < cfg->nbinds; i++) {
        if (cfg->binds[i].writable)
            rw[lp.nwrite++] = cfg->binds[i].host;
        else
            ro[lp.nread++] = cfg->binds[i].host;
    }
    /* No Landlock in this kernel: the program runs without it, and the reports say so. */
    sb->landlock_fd = landlock_abi() > 0 ? landlock_ruleset_build(&lp, err, errlen) : -1;
    int rc = landlock_abi() > 0 && sb->landlock_fd < 0 ? -1 : 0;
    free(ro);
    free(rw);
    return rc;
}

/* Landlock closes the host to the program, and its temporary files go to the run's work
 * folder, the one folder it may write. Stack only: this runs after fork. */
int sandbox_none_confine(const struct sandbox *sb, const char *const *envp, const char **env,
                         size_t max)
{
    size_t n = 0;
    if (sb->landlock_fd >= 0 && landlock_enforce(sb->landlock_fd) < 0)
        return -1;
    for (; envp[n] && n + 2 < max; n++)
        env[n] = envp[n];
    env[n++] = sb->tmpdir_var;
    env[n] = NULL;
    return 0;
}
