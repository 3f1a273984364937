/* driver: the grader's clients against a student's server. TCP clients run one after another
 * on one non-blocking socket each, writing and reading in the same poll loop (a large payload
 * echoed back cannot deadlock); a payload in pieces waits, between pieces, until the server
 * has read what it got. UDP clients send interleaved and each must get its own datagram.
 * Every wait ends at the op timeout, the run's deadline, or when the server dies; what failed
 * is recorded per exchange in words a student understands. UDP is in driver_udp.c. */
#include "driver_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netstate.h"

/* One payload on its way out, cut into pieces. */
struct drv_xfer {
    const char *data;
    size_t len;
    size_t written;
    int pieces;
    int k;                      /* the next cut is len * k / pieces */
    bool gated;                 /* a piece is out; the server has not read it yet */
    long rest_us;
};

/* Checks the clock after a wait: the run's deadline first, then the op timeout. */
static bool drv_late(struct drv *d, struct driver_exchange *ex, int64_t op_until)
{
    int64_t now = util_now_ms();
    if (now >= d->deadline) {
        d->abort = DRV_TIME;
        drv_problem(ex, "the check's time limit ran out during this exchange");
        return true;
    }
    return now >= op_until;
}

/* The server ended: keep what it sent before, then give up on the rest of the run. */
static void drv_ended(struct drv *d, int fd, struct strbuf *got, size_t cap)
{
    while (drv_read(d, fd, got, cap) > 0)
        ;
    d->abort = DRV_ENDED;
}

static size_t drv_limit(struct drv_xfer *x)
{
    for (; x->k < x->pieces; x->k++) {
        size_t at = x->len * (size_t)x->k / (size_t)x->pieces;
        if (at > x->written)
            return at;
    }
    return x->len;
}

/* Writes up to the next cut. Returns 1 on progress, 0 if the socket is full, -1 on error. */
static int drv_write(struct drv_xfer *x, int fd)
{
    size_t limit = drv_limit(x);
    ssize_t n = send(fd, x->data + x->written, limit - x->written, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    x->written += (size_t)n;
    if (x->written == limit && limit < x->len) {
        x->gated = true;
        x->rest_us = NETSTATE_BACKOFF_MIN_US;
    }
    return n > 0;
}

/* A reset here is almost always the server's own close meeting our next bytes, so both read
 * as "closed"; the reset is named for those who want the detail. */
static void drv_closed(struct driver_exchange *ex, const struct drv_xfer *x, bool reset)
{
    const char *how = reset ? " (connection reset)" : "";
    /* Accepted by the kernel while the server was going away after the last client: the reset
     * meets the first write or the wait for the reply, whichever comes first (under Valgrind,
     * often the write). */
    bool stopped = ex->got.len == 0 && reset && ex->client > 0 && ex->index == 0 &&
                   (x->written == 0 || x->written == x->len);
    if (stopped && x->written == 0)
        drv_problem(ex, "the server reset the connection before anything was sent: it stopped "
                    "listening (did it stop after the previous client?)");
    else if (stopped)
        drv_problem(ex, "the server reset the connection without replying: it stopped "
                    "listening (did it stop after the previous client?)");
    else if (x->written < x->len)
        drv_problem(ex, "the server closed the connection before the whole payload was sent "
                    "(%zu of %zu bytes)%s", x->written, x->len, how);
    else if (ex->got.len == 0)
        drv_problem(ex, "the server closed the connection without replying%s", how);
    else
        drv_problem(ex, "the server closed the connection after echoing %zu of %zu bytes%s",
                    ex->got.len, x->len, how);
}

static void drv_timed_out(struct drv *d, struct driver_exchange *ex, const struct drv_xfer *x)
{
    if (x->gated)
        drv_problem(ex, "the server did not read the first %zu of %zu bytes within %d ms",
                    x->written, x->len, d->op_ms);
    else if (x->written < x->len)
        drv_problem(ex, "the server stopped reading: only %zu of %zu bytes could be sent "
                    "within %d ms", x->written, x->len, d->op_ms);
    else if (ex->got.len == 0)
        drv_problem(ex, "no reply within %d ms", d->op_ms);
    else
        drv_problem(ex, "the reply was incomplete: %zu of %zu bytes within %d ms",
                    ex->got.len, x->len, d->op_ms);
}

/* Reads what is there; returns -1 when the connection ended (problem recorded). */
static int drv_take(struct drv *d, int fd, struct driver_exchange *ex, const struct drv_xfer *x,
                    int64_t *last)
{
    ssize_t n = drv_read(d, fd, &ex->got, x->len + DRV_EXTRA_CAP);
    if (n > 0)
        *last = util_now_ms();
    if (n == 0 || n == -1) {
        drv_closed(ex, x, n < 0 && errno == ECONNRESET);
        return -1;
    }
    return 0;
}

/* One payload out and its echo back. Returns 0, or -1 when this connection cannot go on. */
static int drv_tcp_exchange(struct drv *d, int fd, const struct driver_config *c,
                            struct driver_exchange *ex)
{
    struct drv_xfer x = {.data = ex->sent.data, .len = ex->sent.len, .k = 1,
                         .pieces = c->pieces > 1 ? c->pieces : 1};
    int64_t last = util_now_ms();
    for (;;) {
        if (x.written == x.len && (!c->expect_echo || ex->got.len >= x.len))
            return 0;
        bool out = !x.gated && x.written < x.len;
        int w = drv_wait(d, fd, (short)(POLLIN | (out ? POLLOUT : 0)), last + d->op_ms,
                         x.gated ? x.rest_us : -1);
        if ((w & DRV_IN) && drv_take(d, fd, ex, &x, &last) < 0)
            return -1;
        if (w & DRV_OUT) {
            int r = drv_write(&x, fd);
            if (r < 0) {
                drv_closed(ex, &x, errno == ECONNRESET);
                return -1;
            }
            if (r > 0)
                last = util_now_ms();
        }
        if (x.gated && netstate_peer_consumed(d->netstate, fd)) {
            x.gated = false;
            last = util_now_ms();
        } else if (x.gated) {
            x.rest_us = netstate_backoff_next(x.rest_us);
        }
        if (w & DRV_STOP) {
            drv_ended(d, fd, &ex->got, x.len + DRV_EXTRA_CAP);
            if (x.written == x.len && ex->got.len >= x.len)
                return 0;
            drv_problem(ex, "the server ended during this exchange");
            return -1;
        }
        if (drv_late(d, ex, last + d->op_ms)) {
            drv_timed_out(d, ex, &x);
            return -1;
        }
    }
}

/* After the last payload: say so (FIN), and go on to the next client at once. The server's
 * close is awaited for all connections together at the end (drv_drain): waiting here would
 * make a server that never closes its accepted sockets (a leak, a robustness fault) run out
 * of the check's time on a core check. */
static void drv_tcp_linger(struct drv *d, int fd, size_t last)
{
    shutdown(fd, SHUT_WR);
    if ((d->nlinger & (d->nlinger - 1)) == 0)
        d->linger = xrealloc(d->linger, (d->nlinger ? 2 * d->nlinger : 1) * sizeof *d->linger);
    d->linger[d->nlinger++] = (struct drv_linger){ .fd = fd, .ex = last, .closed = false };
}

/* Reads what a lingering connection has; anything more the server sent is part of its last
 * reply (a server that sends extra bytes fails). Marks it closed at EOF or error. */
static void drv_linger_read(struct drv *d, struct drv_linger *l)
{
    struct driver_exchange *ex = &d->out->ex[l->ex];
    ssize_t n;
    while ((n = drv_read(d, l->fd, &ex->got, ex->sent.len + DRV_EXTRA_CAP)) > 0)
        ;
    l->closed |= n == 0 || n == -1;
}

/* Waits until the server has closed every finished connection, for at most one op timeout
 * (capped by the deadline) or until the server ends; then counts those it never closed. */
static void drv_drain(struct drv *d)
{
    int64_t until = util_now_ms() + d->op_ms;
    struct pollfd *p = xcalloc(d->nlinger + 1, sizeof *p);
    for (;;) {
        size_t open = 0;
        for (size_t i = 0; i < d->nlinger; i++) {
            if (!d->linger[i].closed)
                drv_linger_read(d, &d->linger[i]);
            if (!d->linger[i].closed)
                p[open++] = (struct pollfd){ .fd = d->linger[i].fd, .events = POLLIN };
        }
        int64_t left = (until < d->deadline ? until : d->deadline) - util_now_ms();
        if (open == 0 || left <= 0)
            break;
        p[open] = (struct pollfd){ .fd = d->stop_fd, .events = POLLIN };
        if (poll(p, open + (d->stop_fd >= 0), (int)left) > 0 && d->stop_fd >= 0 && p[open].revents) {
            for (size_t i = 0; i < d->nlinger; i++)
                if (!d->linger[i].closed)
                    drv_linger_read(d, &d->linger[i]);
            break; /* the server ended: what it left open is not a leak of a running server */
        }
    }
    struct pollfd stop = {.fd = d->stop_fd, .events = POLLIN};
    bool ended = d->stop_fd >= 0 && poll(&stop, 1, 0) > 0;
    d->out->finished = d->nlinger;
    for (size_t i = 0; i < d->nlinger; i++) {
        d->out->unclosed += !d->linger[i].closed && !ended;
        close(d->linger[i].fd);
    }
    free(p);
    free(d->linger);
    d->linger = NULL;
    d->nlinger = 0;
}

/* The first payload without reading its echo, until the server stops reading (it is then
 * blocked writing its echo to a client that does not read, with unread data queued) or all
 * of it is out; then a reset (RST). A server that ignores SIGPIPE and checks write() survives
 * the reset; one that does not dies of it. The server's send buffer grows to a few MiB, so
 * the payload must be larger than that (the spec sends 16 MiB); the server has stopped
 * reading once it has taken nothing for DRV_STALL_MS (it takes 7 MB in about 5 ms here). */
static void drv_tcp_reset(struct drv *d, int fd, struct driver_exchange *ex)
{
    struct drv_xfer x = {.data = ex->sent.data, .len = ex->sent.len, .k = 1, .pieces = 1};
    int64_t until = util_now_ms() + d->op_ms;
    ex->reset = true;
    while (x.written < x.len) {
        int r = drv_write(&x, fd);
        if (r < 0)
            break; /* the server closed first: nothing left to reset */
        if (r > 0)
            continue;
        int64_t stall = util_now_ms() + DRV_STALL_MS;
        int w = drv_wait(d, fd, POLLOUT, stall < until ? stall : until, -1);
        if (!(w & DRV_OUT) || (w & DRV_STOP) || util_now_ms() >= until)
            break;
    }
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static void drv_refused(struct driver_exchange *ex, int client, int e, int op_ms)
{
    if (e == ECONNREFUSED && client > 0)
        drv_problem(ex, "connection refused: the server was not listening "
                    "(did it stop after the previous client?)");
    else if (e == ECONNREFUSED)
        drv_problem(ex, "connection refused: the server was not listening");
    else if (e == ETIMEDOUT)
        drv_problem(ex, "the server did not accept the connection within %d ms", op_ms);
    else if (e == ECONNRESET && client > 0)
        /* The client went in while the server was still closing: it stopped listening. */
        drv_problem(ex, "connection reset while connecting: the server stopped listening "
                    "(did it stop after the previous client?)");
    else if (e == ECONNRESET)
        drv_problem(ex, "connection reset while connecting");
    else
        drv_problem(ex, "could not connect: %s", strerror(e));
}

/* Connects; on failure records why in ex and returns -1 (fd stays -1). Returns -2 with err
 * when the grader itself could not make a socket. */
static int drv_tcp_connect(struct drv *d, int client, bool small_window,
                           struct driver_exchange *ex, int *fdp, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        util_err(err, errlen, "driver: socket: %s", strerror(errno));
        return -2;
    }
    /* A client that will not read: a small window makes the server's echo stall soon, so it
     * is still writing (with unread data queued) when the reset arrives. */
    int rcvbuf = 4096;
    if (small_window)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(d->port),
                             .sin_addr.s_addr = htonl(d->addr)};
    int e = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        e = errno;
        if (e == EINPROGRESS) {
            int64_t until = util_now_ms() + d->op_ms;
            int w = 0;
            while (!(w & (DRV_OUT | DRV_STOP | DRV_TIMEOUT)))
                w = drv_wait(d, fd, POLLOUT, until, -1);
            socklen_t el = sizeof e;
            e = ETIMEDOUT;
            if (w & DRV_OUT)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
            else if (w & DRV_STOP)
                d->abort = DRV_ENDED;
            else if (util_now_ms() >= d->deadline)
                d->abort = DRV_TIME;
        }
    }
    if (e == 0) {
        *fdp = fd;
        return 0;
    }
    close(fd);
    if (d->abort) {
        drv_not_run(d, (size_t)(ex - d->out->ex));
        return -1;
    }
    drv_refused(ex, client, e, d->op_ms);
    /* Refused because the program is gone: the clients after this one are not run. */
    struct pollfd p = {.fd = d->stop_fd, .events = POLLIN};
    if (d->stop_fd >= 0 && poll(&p, 1, 0) > 0)
        d->abort = DRV_ENDED;
    return -1;
}

static const struct payload drv_empty = {.data = (char[]){""}, .len = 0};

/* One TCP client: connect, each payload in turn, then FIN (or a reset). */
static int drv_tcp_client(struct drv *d, const struct driver_config *c, int own, int client,
                          char *err, size_t errlen)
{
    size_t n = (c->close == CLOSE_RESET || c->nsends == 0) ? 1 : c->nsends;
    size_t first = d->out->n, tried = 0;
    for (size_t k = 0; k < n; k++)
        drv_add(d, client, (int)k, CLIENT_TCP, k < c->nsends ? driver_payload(c, own, k) : &drv_empty);
    if (d->abort) {
        drv_not_run(d, first);
        return 0;
    }
    int fd = -1;
    int rc = drv_tcp_connect(d, client, c->close == CLOSE_RESET, &d->out->ex[first], &fd, err, errlen);
    if (rc == -2)
        return -1;
    if (rc < 0) { /* every payload of this client fails for the same reason */
        char why[sizeof d->out->ex[first].problem];
        memcpy(why, d->out->ex[first].problem, sizeof why);
        for (size_t k = first + 1; k < d->out->n; k++)
            drv_problem(&d->out->ex[k], "%s", why);
        return 0;
    }
    if (c->close == CLOSE_RESET) {
        drv_tcp_reset(d, fd, &d->out->ex[first]);
        goto out;
    }
    bool failed = false;
    while (tried < n && !failed && !d->abort)
        failed = drv_tcp_exchange(d, fd, c, &d->out->ex[first + tried++]) < 0;
    if (d->abort)
        drv_not_run(d, first + tried);
    for (size_t k = first + tried; k < d->out->n; k++)
        drv_problem(&d->out->ex[k], "not sent: an earlier exchange on this connection failed");
    if (!failed && !d->abort) {
        drv_tcp_linger(d, fd, first + n - 1);
        return 0;
    }
out:
    close(fd);
    return 0;
}

/* A reply that came back whole but wrong, in words. */
static void drv_mismatch(struct driver_exchange *ex)
{
    size_t n = ex->got.len < ex->sent.len ? ex->got.len : ex->sent.len, at = 0;
    while (at < n && ex->got.data[at] == ex->sent.data[at])
        at++;
    if (at == n && ex->got.len > ex->sent.len)
        drv_problem(ex, "the server sent %zu bytes more than it received",
                    ex->got.len - ex->sent.len);
    else if (at == n)
        drv_problem(ex, "the reply was cut short: %zu of %zu bytes", ex->got.len, ex->sent.len);
    else
        drv_problem(ex, "the reply differs from what was sent (from byte %zu on)", at);
}

static void drv_judge(struct drv *d, size_t from, size_t to, bool expect_echo)
{
    for (size_t i = from; i < to; i++) {
        struct driver_exchange *ex = &d->out->ex[i];
        if (ex->problem[0]) {
            ex->ok = false;
            continue;
        }
        ex->ok = ex->reset || !expect_echo ||
                 (ex->got.len == ex->sent.len &&
                  (ex->sent.len == 0 || memcmp(ex->got.data, ex->sent.data, ex->sent.len) == 0));
        if (!ex->ok)
            drv_mismatch(ex);
    }
}

int driver_run(const struct driver_config *cfg, size_t n, uint32_t addr, uint16_t port,
               int netstate, int stop_fd, int64_t deadline_ms, int op_timeout_ms,
               struct driver_report *out, char *err, size_t errlen)
{
    struct drv d = {.addr = addr, .port = port, .netstate = netstate, .stop_fd = stop_fd,
                    .deadline = deadline_ms, .op_ms = op_timeout_ms > 0 ? op_timeout_ms : 1,
                    .out = out, .buf = xmalloc(DRV_BUF)};
    int rc = -1, client = 0;
    size_t *first = xcalloc(n + 1, sizeof *first);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const struct driver_config *c = &cfg[i];
        first[i] = out->n;
        if (c->type == CLIENT_UDP) {
            if (drv_udp_run(&d, c, client, err, errlen) < 0)
                goto out;
            client += c->count > 0 ? c->count : 0;
        } else {
            for (int k = 0; k < c->count; k++)
                if (drv_tcp_client(&d, c, k, client++, err, errlen) < 0)
                    goto out;
        }
    }
    drv_drain(&d);
    first[n] = out->n;
    for (size_t i = 0; i < n; i++) /* after the drain: bytes sent after an echo count */
        drv_judge(&d, first[i], first[i + 1], cfg[i].expect_echo);
    rc = 0;
out:
    for (size_t i = 0; i < d.nlinger; i++)
        close(d.linger[i].fd);
    free(d.linger);
    free(first);
    free(d.buf);
    return rc;
}

void driver_report_free(struct driver_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        strbuf_release(&r->ex[i].got);
    free(r->ex);
    r->ex = NULL;
    r->n = 0;
}
