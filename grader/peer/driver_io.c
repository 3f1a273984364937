/* driver_io: what both kinds of the grader's clients (TCP in driver.c, UDP in driver_udp.c)
 * record and wait with: exchanges and their problems, the bounded wait on a socket and the
 * server's end, and a capped read. It calls neither of them. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "driver_int.h"

struct driver_exchange *drv_add(struct drv *d, int client, int index, enum client_type type,
                                const struct payload *sent)
{
    struct driver_report *r = d->out;
    if ((r->n & (r->n - 1)) == 0) /* grown at powers of two */
        r->ex = xrealloc(r->ex, (r->n ? 2 * r->n : 1) * sizeof *r->ex);
    struct driver_exchange *ex = &r->ex[r->n++];
    memset(ex, 0, sizeof *ex);
    ex->client = client;
    ex->index = index;
    ex->type = type;
    ex->sent = *sent;
    strbuf_init(&ex->got);
    strbuf_add(&ex->got, "", 0);
    return ex;
}

void drv_problem(struct driver_exchange *ex, const char *fmt, ...)
{
    if (ex->problem[0])
        return; /* the first problem is the cause; later ones follow from it */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ex->problem, sizeof ex->problem, fmt, ap);
    va_end(ap);
}

void drv_not_run(struct drv *d, size_t from)
{
    const char *why = d->abort == DRV_ENDED ? "the server had already ended"
                                            : "the check's time limit ran out";
    for (size_t i = from; i < d->out->n; i++)
        drv_problem(&d->out->ex[i], "not run: %s", why);
}

int drv_wait(struct drv *d, int fd, short events, int64_t until, long rest_us)
{
    struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = d->stop_fd, .events = POLLIN}};
    if (until > d->deadline)
        until = d->deadline;
    int64_t left = until - util_now_ms();
    if (left <= 0)
        return DRV_TIMEOUT;
    long us = left > 1000000 ? 1000000000L : (long)left * 1000;
    if (rest_us >= 0 && rest_us < us)
        us = rest_us;
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    int r = ppoll(p, d->stop_fd >= 0 ? 2 : 1, &ts, NULL);
    if (r < 0)
        return 0; /* EINTR: the caller looks at the clock and waits again */
    int res = 0;
    if (d->stop_fd >= 0 && p[1].revents)
        res |= DRV_STOP;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        res |= DRV_IN;
    if (p[0].revents & POLLOUT)
        res |= DRV_OUT;
    return res;
}

/* Appends what is there to got (capped). Returns bytes read, 0 at EOF, DRV_AGAIN, or -1. */
ssize_t drv_read(struct drv *d, int fd, struct strbuf *got, size_t cap)
{
    ssize_t n = recv(fd, d->buf, DRV_BUF, MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? DRV_AGAIN : -1;
    if (got && got->len < cap)
        strbuf_add(got, d->buf, (size_t)n < cap - got->len ? (size_t)n : cap - got->len);
    return n;
}
