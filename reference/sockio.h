#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* before any system header, or glibc hides the socket extras */
#endif
/* sockio.h: full-length I/O shared by the reference programs (Stevens' readn/writen).
 * A stream socket may move fewer bytes than asked, and a signal may interrupt a call;
 * these loops hide both so each program keeps the lecture's one-call shape.
 * Header-only: static inline, so a program that uses only some of them still builds
 * warning-free. */
#ifndef SOCKIO_H
#define SOCKIO_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAXLINE 4096

/* Reads n bytes unless EOF comes first. Returns the count (< n only at EOF), -1 on error. */
static inline ssize_t readn(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Writes all n bytes. Returns n, or -1 on error. */
static inline ssize_t writen(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    size_t left = n;

    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    return (ssize_t)n;
}

/* Reads an echoed line: stops once a newline has arrived or n bytes have, so a reply
 * delivered in pieces is read whole, and never reads past n. Returns the count
 * (< n only after a newline or at EOF), -1 on error. Not NUL-terminated. */
static inline ssize_t read_line(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (memchr(p + got - (size_t)r, '\n', (size_t)r) != NULL)
            break;
    }
    return (ssize_t)got;
}

/* A port argument: 1..65535, digits only. atoi() would turn "abc" into port 0, which
 * bind() accepts as "any port". Returns the port in host order, or -1. */
static inline int parse_port(const char *s)
{
    char *end;
    long port;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    port = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
        return -1;
    return (int)port;
}

#endif
