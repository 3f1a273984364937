/* batch_fingerprint: what decides whether a student must be graded again (their files, the
 * specs, the grader), and the --shard arithmetic. The hash need not resist an attacker: a
 * student gains nothing from a collision with their own earlier submission. */
#include "batch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/discover.h"
#include "util/util.h"

#define FP_MAX_DEPTH 16  /* deeper than any submission; bounds a pathological tree */

struct fp_paths {
    char **v;
    size_t n;
};

static void fp_bytes(uint64_t *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= 0x100000001b3ULL;
    }
}

/* Length first, so "ab"+"c" and "a"+"bc" hash differently. */
static void fp_field(uint64_t *h, const void *data, size_t len)
{
    uint64_t n = len;
    fp_bytes(h, &n, sizeof n);
    fp_bytes(h, data, len);
}

static int fp_collect(const char *root, const char *rel, int depth, struct fp_paths *out,
                      char *err, size_t errlen)
{
    char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(dir);
    int rc = -1;
    if (!d) {
        util_err(err, errlen, "%s: %s", dir, strerror(errno));
        goto out;
    }
    struct dirent *e;
    rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        char *full = xasprintf("%s/%s", root, child);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < FP_MAX_DEPTH) {
            rc = fp_collect(root, child, depth + 1, out, err, errlen);
            free(child);
        } else {
            out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
            out->v[out->n++] = child;
        }
        free(full);
    }
    closedir(d);
out:
    free(dir);
    return rc;
}

/* A file's bytes, streamed. O_NONBLOCK: opening a FIFO must not wait for a writer. */
static int fp_content(uint64_t *h, const char *path, int flags, char *err, size_t errlen)
{
    char buf[65536];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags);
    if (fd < 0)
        return util_err(err, errlen, "%s: %s", path, strerror(errno));
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            fp_bytes(h, buf, (size_t)n);
    int saved = errno;
    close(fd);
    return n < 0 ? util_err(err, errlen, "%s: %s", path, strerror(saved)) : 0;
}

/* One entry of a submission: a link by its target text, a regular file by its size and
 * bytes, anything else (FIFO, socket, device) by its kind alone: it is never opened. */
static int fp_file(uint64_t *h, const char *path, char *err, size_t errlen)
{
    struct stat st;
    char target[4096];
    if (lstat(path, &st) < 0)
        return util_err(err, errlen, "%s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(path, target, sizeof target);
        fp_field(h, "link", 4);
        fp_field(h, target, n > 0 ? (size_t)n : 0);
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        fp_field(h, "special", 7);
        return 0;
    }
    uint64_t size = (uint64_t)st.st_size;
    fp_field(h, "file", 4);
    fp_bytes(h, &size, sizeof size);
    return fp_content(h, path, O_NOFOLLOW, err, errlen);
}

static int fp_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool fp_has(const struct discovery *d, const char *program)
{
    for (size_t i = 0; i < d->nfound; i++)
        if (strcmp(d->found[i].program, program) == 0)
            return true;
    return false;
}

/* Every program's name (a new assignment changes every report's list of missing programs),
 * and the spec of each program the student handed in: fixing one spec regrades only the
 * students who have that program. */
static int fp_specs(uint64_t *h, const char *student_dir, const char *assignments, char *err,
                    size_t errlen)
{
    struct discovery d = { 0 };
    char **names = NULL;
    size_t n = 0;
    int rc = -1;
    if (discover_programs(assignments, &names, &n, err, errlen) < 0 ||
        discover(&student_dir, 1, names, n, &d, err, errlen) < 0)
        goto out;
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        fp_field(h, names[i], strlen(names[i]));
        if (fp_has(&d, names[i])) {
            char *path = xasprintf("%s/%s/spec.json", assignments, names[i]);
            rc = fp_file(h, path, err, errlen);
            free(path);
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    discovery_free(&d);
    return rc;
}

char *batch_salt(const char *version, uint64_t seed, const char *mode)
{
    uint64_t exe = 0xcbf29ce484222325ULL;
    /* Hashing the executable too: a grader fixed and rebuilt without a version bump must not
     * keep the reports its bug wrote. */
    if (fp_content(&exe, "/proc/self/exe", 0, NULL, 0) < 0)
        exe = 0;
    return xasprintf("sockgrade %s exe %016llx seed %llu sandbox %s", version,
                     (unsigned long long)exe, (unsigned long long)seed, mode);
}

int batch_fingerprint(const char *student_dir, const char *assignments, const char *salt,
                      uint64_t *out, char *err, size_t errlen)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    struct fp_paths paths = { NULL, 0 };
    int rc = -1;
    fp_field(&h, salt, strlen(salt));
    if (fp_specs(&h, student_dir, assignments, err, errlen) < 0 ||
        fp_collect(student_dir, "", 0, &paths, err, errlen) < 0)
        goto out;
    qsort(paths.v, paths.n, sizeof *paths.v, fp_cmp);
    for (size_t i = 0; i < paths.n; i++) {
        char *full = xasprintf("%s/%s", student_dir, paths.v[i]);
        fp_field(&h, paths.v[i], strlen(paths.v[i]));
        int frc = fp_file(&h, full, err, errlen);
        free(full);
        if (frc < 0)
            goto out;
    }
    *out = h;
    rc = 0;
out:
    for (size_t i = 0; i < paths.n; i++)
        free(paths.v[i]);
    free(paths.v);
    return rc;
}

/* Digits only: strtoul alone would take " 1", "+1" and "-1" (as a huge number). */
static int shard_number(const char **p, unsigned long *v)
{
    char *end;
    if (!isdigit((unsigned char)**p))
        return -1;
    errno = 0;
    *v = strtoul(*p, &end, 10);
    *p = end;
    return errno ? -1 : 0;
}

int batch_parse_shard(const char *s, unsigned *k, unsigned *n)
{
    unsigned long a, b;
    if (!s || shard_number(&s, &a) < 0 || *s++ != '/' || shard_number(&s, &b) < 0 || *s ||
        a < 1 || a > b || b > 100000)
        return -1;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

bool batch_in_shard(size_t index, unsigned k, unsigned n)
{
    return n == 0 || index % n == (size_t)(k - 1);
}

char *batch_student_name(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return xstrndup(path + start, len - start);
}
