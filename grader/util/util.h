/* util: the program's messages, allocation that cannot fail silently, a growable byte
 * buffer and a monotonic clock. Library code reports errors through a caller's buffer (anet
 * style) and never exits: die() lives in cli/main.c, the only place that ends the program on
 * an error; the one exception is util_out_of_memory, below. */
#ifndef SOCKGRADE_UTIL_H
#define SOCKGRADE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UTIL_ERRLEN 512

/* Writes head ("sockgrade: ") and the message on stderr, the message's control bytes spelled
 * out (it carries file names and text read from disk). */
void util_vmessage(const char *head, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void util_message(const char *head, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sockgrade: out of memory <message>" and exit status 2, without flushing stdio: the end of
 * an allocation that failed (util.c says why it is not returned). */
_Noreturn void util_out_of_memory(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Formats into err (if not NULL) and returns -1, so callers can `return util_err(...)`. */
int util_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer; always NUL-terminated so it can be used as a string. */
struct strbuf {
    char *data;
    size_t len;
    size_t cap;
};
void strbuf_init(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *strbuf_detach(struct strbuf *sb); /* caller frees; sb is reset */
void strbuf_release(struct strbuf *sb);

/* Milliseconds on the monotonic clock. */
int64_t util_now_ms(void);
/* The user and system CPU time of a struct rusage together, in microseconds. */
struct rusage;
int64_t util_rusage_us(const struct rusage *ru);

/* Reads a whole file into a NUL-terminated buffer; returns NULL with err filled. */
char *util_read_file(const char *path, size_t *len, char *err, size_t errlen);
/* The same for a file the grader parses (a spec, a report): one larger than max bytes is
 * refused with err naming it, before it is read, so a 100 MB file costs nothing. */
char *util_read_file_max(const char *path, size_t max, size_t *len, char *err, size_t errlen);
/* Writes data to path atomically (temporary file in the same folder, fsync, rename); a path
 * that exists and is no regular file (a device such as /dev/null, a FIFO) is written in place. */
int util_write_file_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* mkdir -p: path and each missing folder above it, new ones with mode. 0, or -1 with err
 * ("cannot create FOLDER: why"). */
int util_mkdirs(const char *path, mode_t mode, char *err, size_t errlen);

/* Full-length descriptor I/O, retrying on EINTR. Return 0 or -1 with errno set. */
int util_write_all(int fd, const void *buf, size_t len);
/* Reads until EOF or cap bytes; returns bytes read or -1. */
ssize_t util_read_all(int fd, struct strbuf *sb, size_t cap);

/* Enum names: an enum that has names keeps one table of them beside it (its *_names array,
 * indexed by value and ended by NULL), and every lookup goes through these two. */
const char *util_enum_name(const char *const *names, int value); /* "?" for a value not in it */
int util_enum_value(const char *const *names, const char *name); /* -1 for an unknown or NULL */

/* Decodes one UTF-8 character at s (n > 0 bytes available): returns its length and sets *cp,
 * or returns 0 and sets *bad to the length of the invalid prefix one U+FFFD stands for. */
size_t util_utf8_decode(const char *s, size_t n, uint32_t *cp, size_t *bad);

#endif
