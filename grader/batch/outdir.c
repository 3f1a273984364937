/* outdir: the output folder's lock and the cleanup after an interrupted batch. The lock is a
 * flock on DIR/.lock, so the kernel releases it when the batch dies however it dies (SIGKILL
 * included), and a stale lock cannot exist. The lock file also records the holder's pid and
 * work folder (under $TMPDIR, outside DIR): a batch killed before it removed that folder
 * leaves its path behind, and the next holder removes it. */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static int outdir_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* The work folder the previous holder recorded, if it still exists: only a batch that died
 * before its cleanup leaves one. Only a sockgrade-batch.* folder is ever removed. */
static void outdir_clean_tmproot(const char *record)
{
    char *line = record ? strstr(record, "\ntmp ") : NULL, *end;
    struct stat st;
    if (!line)
        return;
    char *path = xstrdup(line + 5);
    if ((end = strchr(path, '\n')))
        *end = '\0';
    const char *base = strrchr(path, '/');
    if (base && strncmp(base + 1, "sockgrade-batch.", 16) == 0 && lstat(path, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        nftw(path, outdir_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        warn("removed %s, the work folder of an interrupted batch (%.*s)", path,
             (int)strcspn(record, "\n"), record);
    }
    free(path);
}

/* "<name>.tmp.<digits>": a complete file util_write_file_atomic linked but had not yet
 * renamed when its process was killed (it never names an incomplete one). */
static bool outdir_is_tmp(const char *name)
{
    const char *t = strstr(name, ".tmp.");
    if (!t || t == name || !t[5])
        return false;
    for (t += 5; *t; t++)
        if (*t < '0' || *t > '9')
            return false;
    return true;
}

static void outdir_clean_tmpfiles(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!outdir_is_tmp(e->d_name))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            warn("removed %s, left by an interrupted batch", path);
        free(path);
    }
    if (d)
        closedir(d);
}

int outdir_lock(const char *dir, int *fd, char *err, size_t errlen)
{
    char *path = xasprintf("%s/.lock", dir), *record = NULL;
    int rc = -1;
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0) {
        util_err(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    record = util_read_file(path, NULL, NULL, 0);
    if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        /* Only the number is shown: anyone who can write DIR can write this file. */
        long pid = record && strncmp(record, "pid ", 4) == 0 ? strtol(record + 4, NULL, 10) : 0;
        if (e == EWOULDBLOCK)
            util_err(err, errlen, "%s is in use by another batch (pid %ld; lock %s): wait for "
                     "it to end, or grade into another --out folder", dir, pid, path);
        else
            util_err(err, errlen, "%s: cannot lock: %s", path, strerror(e));
        outdir_unlock(fd);
        goto out;
    }
    free(record); /* read again under the lock: the holder before may have just written it */
    record = util_read_file(path, NULL, NULL, 0);
    outdir_clean_tmproot(record);
    outdir_clean_tmpfiles(dir);
    rc = 0;
out:
    free(record);
    free(path);
    return rc;
}

void outdir_record(int fd, const char *tmproot)
{
    char *text = xasprintf("pid %ld\ntmp %s\n", (long)getpid(), tmproot ? tmproot : "");
    /* Best effort: without the record the next batch only cannot clean up after this one. */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, text, strlen(text), 0) < 0)
        warn("cannot record the batch in its lock file: %s", strerror(errno));
    free(text);
}

void outdir_unlock(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

bool outdir_full(int e)
{
    return e == ENOSPC || e == EDQUOT;
}
