/* stage: a program's sources copied into the grader's work folder (see stage.h). */
#include "stage.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define STAGE_FILE_MAX (1u << 20)  /* a lecture program is a few KiB; a header no more */
#define STAGE_HEADERS_MAX 32

/* Copies one regular file; O_NOFOLLOW, so a link to a file the grader may read but the student
 * may not (/etc/shadow, when the grader runs as root) is refused, never copied. */
static int stage_copy(const char *from, const char *to, char *err, size_t errlen)
{
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), out = -1, rc = -1;
    struct stat st;
    char *buf = NULL;
    if (in < 0) {
        util_err(err, errlen, "%s: %s", from, errno == ELOOP ? "is a symbolic link" : strerror(errno));
        goto out;
    }
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STAGE_FILE_MAX) {
        util_err(err, errlen, "%s: not a regular file of at most %u bytes", from, STAGE_FILE_MAX);
        goto out;
    }
    buf = xmalloc((size_t)st.st_size + 1);
    ssize_t n = read(in, buf, (size_t)st.st_size + 1);
    if (n < 0 || n > st.st_size) {
        util_err(err, errlen, "%s: %s", from, n < 0 ? strerror(errno) : "changed while read");
        goto out;
    }
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0 || util_write_all(out, buf, (size_t)n) < 0 || fchmod(out, 0644) < 0) {
        util_err(err, errlen, "%s: %s", to, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0 && rc == 0)
        rc = util_err(err, errlen, "%s: %s", to, strerror(errno));
    return rc;
}

static bool stage_header_name(const char *name, const char *base)
{
    size_t len = strlen(name);
    return len >= 3 && strcmp(name + len - 2, ".h") == 0 && strcmp(name, base) != 0 && name[0] != '.';
}

/* The headers beside the source: a student's own "unp.h" must build as it did in place. */
static void stage_headers(const char *srcdir, const char *dir, const char *base)
{
    DIR *d = opendir(srcdir);
    size_t copied = 0;
    char err[UTIL_ERRLEN];
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d)) && copied < STAGE_HEADERS_MAX;) {
        if (!stage_header_name(de->d_name, base))
            continue;
        char *from = xasprintf("%s/%s", srcdir, de->d_name), *to = xasprintf("%s/%s", dir, de->d_name);
        copied += stage_copy(from, to, err, sizeof err) == 0; /* a bad header: the compiler says */
        free(from);
        free(to);
    }
    closedir(d);
}

/* What stage_copy would copy: a regular file, not a link, not too large. */
static bool stage_copyable(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= STAGE_FILE_MAX;
}

int stage_list(const char *src, char ***files, size_t *n)
{
    char *dcopy = xstrdup(src), *bcopy = xstrdup(src);
    const char *srcdir = dirname(dcopy), *base = basename(bcopy);
    DIR *d = stage_copyable(src) ? opendir(srcdir) : NULL;
    int rc = d ? 0 : -1;
    *files = NULL;
    *n = 0;
    if (d) {
        *files = xcalloc(STAGE_HEADERS_MAX + 1, sizeof **files);
        (*files)[(*n)++] = xstrdup(src);
    }
    for (struct dirent *de; d && (de = readdir(d)) && *n <= STAGE_HEADERS_MAX;) {
        char *path = xasprintf("%s/%s", srcdir, de->d_name);
        if (stage_header_name(de->d_name, base) && stage_copyable(path))
            (*files)[(*n)++] = path;
        else
            free(path);
    }
    if (d)
        closedir(d);
    free(dcopy);
    free(bcopy);
    return rc;
}

int stage_source(const char *src, const char *dir, char **staged, char *err, size_t errlen)
{
    char *dcopy = xstrdup(src), *bcopy = xstrdup(src);
    const char *srcdir = dirname(dcopy), *base = basename(bcopy);
    char *to = xasprintf("%s/%s", dir, base);
    int rc = -1;
    *staged = NULL;
    if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0) {
        util_err(err, errlen, "%s: %s", dir, strerror(errno));
        goto out;
    }
    if (stage_copy(src, to, err, errlen) < 0)
        goto out;
    stage_headers(srcdir, dir, base);
    *staged = to;
    to = NULL;
    rc = 0;
out:
    free(to);
    free(dcopy);
    free(bcopy);
    return rc;
}
