/* util: error reporting, checked allocation, byte buffers, clock, whole-file I/O
 * and the enum-name lookups. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Messages carry file names, student names and text read from disk: a terminal must never
 * act on them, so C0 controls (but tab and newline), DEL and C1 controls (U+0080..U+009F,
 * UTF-8 C2 80..C2 9F; U+009B is CSI) are spelled out as \xNN or \u00NN. */
void util_vmessage(const char *head, const char *fmt, va_list ap)
{
    char msg[4096]; /* fixed: it may be reporting that memory ran out */
    vsnprintf(msg, sizeof msg, fmt, ap);
    fputs(head, stderr);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
            fprintf(stderr, "\\x%02x", *p);
        else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            fprintf(stderr, "\\u%04x", *++p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

void util_message(const char *head, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_vmessage(head, fmt, ap);
    va_end(ap);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_vmessage("sockgrade: warning: ", fmt, ap);
    va_end(ap);
}

/* Allocation is the one fault library code does not return: it happens in hundreds of places,
 * each would need an error path that is never exercised, and on Linux a failed malloc means a
 * runaway size or an address-space limit, not a state to recover from. _exit, not exit: exit
 * flushes stdio and runs atexit handlers, which need memory themselves and can deadlock on a
 * stdio lock held by another thread (a runner's peers). Exit status 2 is the documented
 * internal error; a runner's or a batch worker's parent sees it and records the check or the
 * student as an error (docs/design.md, "Faults"). */
void util_out_of_memory(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_vmessage("sockgrade: out of memory ", fmt, ap);
    va_end(ap);
    _exit(2);
}

int util_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        util_out_of_memory("(%zu bytes)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        util_out_of_memory("(%zu x %zu bytes)", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        util_out_of_memory("(%zu bytes)", n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        util_out_of_memory("formatting a string");
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void strbuf_init(struct strbuf *sb)
{
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
}

static void strbuf_grow(struct strbuf *sb, size_t more)
{
    if (sb->len + more + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + more + 1)
        cap *= 2;
    sb->data = xrealloc(sb->data, cap);
    sb->cap = cap;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    if (len)
        memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        util_out_of_memory("formatting a string (%s)", strerror(errno));
    strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    sb->len += (size_t)n;
}

char *strbuf_detach(struct strbuf *sb)
{
    char *p = sb->data ? sb->data : xstrdup("");
    strbuf_init(sb);
    return p;
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}

int64_t util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_rusage_us(const struct rusage *ru)
{
    return (int64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 + ru->ru_utime.tv_usec +
           ru->ru_stime.tv_usec;
}

char *util_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    struct strbuf sb;
    strbuf_init(&sb);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        util_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    ssize_t n = util_read_all(fd, &sb, SIZE_MAX);
    int saved = errno;
    close(fd);
    if (n < 0) {
        strbuf_release(&sb);
        util_err(err, errlen, "%s: %s", path, strerror(saved));
        return NULL;
    }
    if (len)
        *len = sb.len;
    return strbuf_detach(&sb);
}

char *util_read_file_max(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    /* Asked first, so a 100 MB file is refused without reading it. */
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        util_err(err, errlen, "%s: %jd bytes: too large (at most %zu)", path,
                 (intmax_t)st.st_size, max);
        return NULL;
    }
    size_t n = 0;
    char *data = util_read_file(path, &n, err, errlen);
    if (data && n > max) { /* it grew since */
        free(data);
        util_err(err, errlen, "%s: over %zu bytes: too large", path, max);
        return NULL;
    }
    if (data && len)
        *len = n;
    return data;
}

/* An anonymous file (O_TMPFILE) in path's folder, or -1 where the file system has none. */
static int util_open_anonymous(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    free(dir);
    return fd;
}

/* The data gets a name only when it is complete and on disk: it is written to an anonymous
 * file, linked as <path>.tmp.<pid> and renamed over path. A process killed while writing
 * leaves nothing; one killed between link and rename leaves a complete temporary file, which
 * the next batch removes (outdir.c). Without O_TMPFILE the named file is written directly.
 * Errors name path (the file the caller meant) and leave errno set, so a caller can tell a
 * full disk (ENOSPC) from other faults. */
/* Where the path is no regular file (-o /dev/null, a FIFO a script reads), the bytes are
 * written to it as it is: renaming a new file over it would replace the device itself (as
 * root, /dev/null for the whole machine). */
static int write_in_place(const char *path, const struct stat *st, const void *data, size_t len,
                          char *err, size_t errlen)
{
    if (S_ISDIR(st->st_mode))
        return util_err(err, errlen, "%s: is a folder", path);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return util_err(err, errlen, "%s: %s", path, strerror(errno));
    int rc = util_write_all(fd, data, len);
    int saved = errno;
    close(fd);
    return rc < 0 ? util_err(err, errlen, "%s: %s", path, strerror(saved)) : 0;
}

int util_mkdirs(const char *path, mode_t mode, char *err, size_t errlen)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = util_err(err, errlen, "cannot create %s: %s", p, strerror(errno));
        if (end)
            break;
        *s = '/';
    }
    free(p);
    return rc;
}

int util_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(path, &st, data, len, err, errlen);
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid()), proc[64];
    int rc = -1, saved = 0;
    int fd = util_open_anonymous(path);
    bool anon = fd >= 0;
    if (!anon)
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || util_write_all(fd, data, len) < 0 || fsync(fd) < 0)
        goto out;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (anon && (unlink(tmp), linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0))
        goto out;
    int closed = close(fd);
    fd = -1;
    if (closed < 0 || rename(tmp, path) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        saved = errno;
        util_err(err, errlen, "%s: %s", path, strerror(saved));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        errno = saved;
    }
    free(tmp);
    return rc;
}

int util_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t util_read_all(int fd, struct strbuf *sb, size_t cap)
{
    char buf[8192];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        size_t keep = (size_t)n;
        if (total + keep > cap)
            keep = cap - total;
        strbuf_add(sb, buf, keep);
        total += keep;
    }
    if (!sb->data)
        strbuf_add(sb, "", 0);
    return (ssize_t)total;
}

/* Well-formed sequences per Unicode Table 3-7. Only the second byte's range depends on the
 * lead; that is where overlongs (E0, F0), surrogates (ED) and values above U+10FFFF (F4)
 * are excluded. An invalid sequence is replaced as one "maximal subpart", as Unicode and
 * WHATWG recommend, so a truncated character costs one U+FFFD, not one per byte. */
size_t util_utf8_decode(const char *s, size_t n, uint32_t *cp, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t c = u[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
        c &= 0x07;
    } else {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if (i >= n || u[i] < lo || u[i] > hi) {
            *bad = i;
            return 0;
        }
        c = (c << 6) | (u[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = c;
    return need;
}

const char *util_enum_name(const char *const *names, int value)
{
    for (int i = 0; value >= 0 && names[i]; i++)
        if (i == value)
            return names[i];
    return "?";
}

int util_enum_value(const char *const *names, const char *name)
{
    for (int i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
