/* driver_udp: the grader's UDP clients. Several clients, each its own socket on 127.0.0.1,
 * send a round of datagrams at once, then each must get exactly its own datagram back: a
 * server that answers the wrong address, merges or splits datagrams, or drops an empty one
 * is caught. Datagrams left over after a round were meant for someone else. */
#include "driver_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netstate.h"

/* One round: every client's exchange of payload index i, and who still waits. */
struct drv_round {
    const int *fds;
    int count;
    struct driver_exchange *ex;     /* count exchanges, client order */
    bool *done;
    int left;
};

static int drv_udp_sockets(int *fds, int count, char *err, size_t errlen)
{
    for (int k = 0; k < count; k++) {
        fds[k] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (fds[k] < 0 || bind(fds[k], (struct sockaddr *)&sa, sizeof sa) < 0)
            return util_err(err, errlen, "driver: udp client socket: %s", strerror(errno));
    }
    return 0;
}

/* Reads one datagram for client k if there is one. Returns true if it got one. */
static bool drv_udp_take(struct drv *d, struct drv_round *r, int k)
{
    ssize_t n = recv(r->fds[k], d->buf, DRV_BUF, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0)
        return false;
    strbuf_add(&r->ex[k].got, d->buf, (size_t)n < DRV_BUF ? (size_t)n : DRV_BUF);
    r->done[k] = true;
    r->left--;
    return true;
}

static void drv_udp_send(struct drv *d, struct drv_round *r)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(d->port),
                             .sin_addr.s_addr = htonl(d->addr)};
    for (int k = 0; k < r->count; k++) {
        const struct payload *p = &r->ex[k].sent;
        if (sendto(r->fds[k], p->data, p->len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to) < 0) {
            drv_problem(&r->ex[k], "could not send the datagram: %s", strerror(errno));
            r->done[k] = true;
            r->left--;
        }
    }
}

/* Who is still waiting when the round ends early, and why. */
static void drv_udp_missing(struct drv *d, struct drv_round *r, bool expect_echo)
{
    bool gone = r->left > 0 && !d->abort && d->netstate >= 0 &&
                !netstate_bound(d->netstate, "udp", d->port);
    for (int k = 0; k < r->count; k++) {
        if (r->done[k])
            continue;
        if (d->abort == DRV_ENDED)
            drv_problem(&r->ex[k], "the server ended before replying");
        else if (d->abort)
            drv_problem(&r->ex[k], "the check's time limit ran out during this exchange");
        else if (gone)
            drv_problem(&r->ex[k], "no reply within %d ms: nothing is bound to UDP port %u "
                        "any more (did the server stop?)", d->op_ms, d->port);
        else if (expect_echo)
            drv_problem(&r->ex[k], "no reply within %d ms", d->op_ms);
    }
}

/* Waits until every client of the round has one datagram, or the round times out. */
static void drv_udp_collect(struct drv *d, struct drv_round *r, bool expect_echo)
{
    struct pollfd *p = xcalloc((size_t)r->count + 1, sizeof *p);
    int64_t last = util_now_ms();
    while (r->left > 0) {
        int64_t until = last + d->op_ms < d->deadline ? last + d->op_ms : d->deadline;
        int64_t left = until - util_now_ms();
        if (left <= 0)
            break;
        for (int k = 0; k < r->count; k++)
            p[k] = (struct pollfd){.fd = r->done[k] ? -1 : r->fds[k], .events = POLLIN};
        p[r->count] = (struct pollfd){.fd = d->stop_fd, .events = POLLIN};
        struct timespec ts = {.tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000};
        if (ppoll(p, (nfds_t)r->count + 1, &ts, NULL) <= 0)
            continue;
        for (int k = 0; k < r->count; k++)
            if (p[k].revents && drv_udp_take(d, r, k))
                last = util_now_ms();
        if (p[r->count].revents) {
            for (int k = 0; k < r->count; k++) /* what it sent before it ended still counts */
                if (!r->done[k])
                    drv_udp_take(d, r, k);
            d->abort = DRV_ENDED;
            break;
        }
    }
    if (r->left > 0 && !d->abort && util_now_ms() >= d->deadline)
        d->abort = DRV_TIME;
    drv_udp_missing(d, r, expect_echo);
    free(p);
}

/* Datagrams still queued after a round were not this client's: its own came already. */
static void drv_udp_extras(struct drv *d, const int *fds, int count, struct driver_exchange *ex)
{
    for (int k = 0; k < count; k++) {
        size_t extra = 0;
        while (recv(fds[k], d->buf, DRV_BUF, MSG_DONTWAIT | MSG_TRUNC) >= 0)
            extra++;
        if (extra)
            drv_problem(&ex[k], "also received %zu datagram%s it did not send "
                        "(replies meant for another client?)", extra, extra > 1 ? "s" : "");
    }
}

int drv_udp_run(struct drv *d, const struct driver_config *c, int base, char *err, size_t errlen)
{
    int count = c->count > 0 ? c->count : 0, rc = -1;
    int *fds = xmalloc((size_t)(count ? count : 1) * sizeof *fds);
    bool *done = xcalloc((size_t)(count ? count : 1), sizeof *done);
    for (int k = 0; k < count; k++)
        fds[k] = -1;
    size_t first = d->out->n;
    for (size_t i = 0; i < c->nsends; i++)
        for (int k = 0; k < count; k++)
            drv_add(d, base + k, (int)i, CLIENT_UDP, driver_payload(c, k, i));
    if (count == 0 || c->nsends == 0)
        goto done;
    if (drv_udp_sockets(fds, count, err, errlen) < 0)
        goto out;
    for (size_t i = 0; i < c->nsends; i++) {
        struct driver_exchange *ex = &d->out->ex[first + i * (size_t)count];
        if (i > 0)
            drv_udp_extras(d, fds, count, ex - count);
        if (d->abort) {
            drv_not_run(d, first + i * (size_t)count);
            break;
        }
        memset(done, 0, (size_t)count * sizeof *done);
        struct drv_round r = {.fds = fds, .count = count, .ex = ex, .done = done, .left = count};
        drv_udp_send(d, &r);
        drv_udp_collect(d, &r, c->expect_echo);
        if (i + 1 == c->nsends)
            drv_udp_extras(d, fds, count, ex);
    }
done:
    rc = 0;
out:
    for (int k = 0; k < count; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    free(fds);
    free(done);
    return rc;
}
