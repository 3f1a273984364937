/* proctree: counts a process's descendants from /proc/<pid>/stat (see proctree.h). */
#include "proctree.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct proctree_ent {
    pid_t pid, ppid;
    char state;
};

/* "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse after the last ')'. */
static bool proctree_read(pid_t pid, struct proctree_ent *e)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    int ppid;
    if (!close || sscanf(close + 1, " %c %d", &e->state, &ppid) != 2)
        return false;
    e->pid = pid;
    e->ppid = (pid_t)ppid;
    return true;
}

/* How many levels below root pid is, or -1 when it is not a descendant. */
static int proctree_depth(const struct proctree_ent *t, size_t n, pid_t pid, pid_t root)
{
    for (int depth = 0; depth < 64; depth++) {
        if (pid == root)
            return depth;
        size_t i = 0;
        while (i < n && t[i].pid != pid)
            i++;
        if (i == n || t[i].ppid <= 0)
            return -1;
        pid = t[i].ppid;
    }
    return -1;
}

int proctree_count(pid_t root, int min_depth, size_t *live, size_t *zombies)
{
    DIR *d = opendir("/proc");
    struct proctree_ent *t = NULL;
    size_t n = 0, cap = 0;
    *live = *zombies = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        if (n == cap)
            t = xrealloc(t, (cap = cap ? 2 * cap : 256) * sizeof *t);
        n += proctree_read((pid_t)pid, &t[n]);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        if (t[i].pid == root || proctree_depth(t, n, t[i].pid, root) < min_depth)
            continue;
        if (t[i].state == 'Z')
            (*zombies)++;
        else
            (*live)++;
    }
    free(t);
    return 0;
}
