/* peer: the loopback servers the grader plays. Every socket is bound before the program
 * starts (so the program can never take a peer's port); one thread then serves them all from
 * a single poll loop and never blocks elsewhere, so a program that misbehaves can stall only
 * its own connection. TCP connections live in peer_tcp.c; UDP and the watchers are here. */
#include "peer_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netstate.h"

#define PEER_STRANGER_ADDR 0x7f000002u /* another loopback address than the echo's */
#define PEER_BACKLOG 16
#define PEER_UDP_BURST 64             /* datagrams per wake-up, so TCP is not starved */
#define PEER_DRAIN_ROUNDS 64          /* rounds of the last look at the sockets on stop */

enum peer_tag_kind { TAG_STOP, TAG_MAIN, TAG_WATCH, TAG_CONN };
struct peer_tag {
    enum peer_tag_kind kind;
    size_t i;
};

uint16_t peer_swap16(uint16_t port)
{
    return (uint16_t)((port >> 8) | (port << 8));
}

static bool peer_is_tcp(enum peer_type t)
{
    return t == PEER_TCP_ECHO || t == PEER_TCP_SEND || t == PEER_TCP_SQUAT;
}

static struct peer_conn *peer_udp_sender(struct peer_ent *e, uint32_t addr, uint16_t port)
{
    for (size_t i = 0; i < e->obs.nconns; i++)
        if (e->obs.conns[i].src_addr == addr && e->obs.conns[i].src_port == port)
            return &e->obs.conns[i];
    return peer_conn_add(e, addr, port);
}

static void peer_udp_keep(struct peer_conn *c, const char *data, size_t len)
{
    /* Grown at powers of two, so the count alone tells the capacity. */
    if ((c->ndgrams & (c->ndgrams - 1)) == 0)
        c->dgram_lens = xrealloc(c->dgram_lens, (c->ndgrams ? 2 * c->ndgrams : 1) * sizeof(size_t));
    c->dgram_lens[c->ndgrams++] = len;
    peer_record(&c->received, data, len);
}

static void peer_udp_answer(struct peer_ent *e, struct peer_conn *c, const struct sockaddr_in *to,
                            const char *data, size_t len)
{
    const struct sockaddr *sa = (const struct sockaddr *)to;
    if (e->stranger_fd >= 0)
        sendto(e->stranger_fd, e->cfg.stranger, e->cfg.stranger_len, MSG_DONTWAIT, sa, sizeof *to);
    struct strbuf r;
    strbuf_init(&r);
    peer_reply_make(e->cfg.reply, data, len, &r);
    if (sendto(e->fd, r.data ? r.data : "", r.len, MSG_DONTWAIT, sa, sizeof *to) >= 0)
        peer_record(&c->sent, r.data ? r.data : "", r.len);
    strbuf_release(&r);
}

/* A slow server: the reply is queued and sent when due (peer_late_send). */
static void peer_udp_defer(struct peer_set *ps, size_t ent, size_t conn,
                           const struct sockaddr_in *to, const char *data, size_t len)
{
    if (ps->nlate == ps->late_cap)
        ps->late = xrealloc(ps->late, (ps->late_cap = ps->late_cap ? 2 * ps->late_cap : 8) *
                                          sizeof *ps->late);
    struct peer_late *l = &ps->late[ps->nlate++];
    *l = (struct peer_late){ .ent = ent, .conn = conn, .to = *to,
                             .due_ms = util_now_ms() + ps->ents[ent].cfg.delay_ms };
    strbuf_init(&l->data);
    strbuf_add(&l->data, data, len);
}

/* Sends the replies that are due; returns how long until the next one, in microseconds
 * (-1: none waiting). */
static long peer_late_send(struct peer_set *ps, int64_t now)
{
    size_t kept = 0;
    long next = -1;
    for (size_t i = 0; i < ps->nlate; i++) {
        struct peer_late *l = &ps->late[i];
        if (l->due_ms <= now) {
            struct peer_ent *e = &ps->ents[l->ent];
            peer_udp_answer(e, &e->obs.conns[l->conn], &l->to, l->data.data ? l->data.data : "",
                            l->data.len);
            strbuf_release(&l->data);
            continue;
        }
        long us = (long)(l->due_ms - now) * 1000;
        next = next < 0 || us < next ? us : next;
        ps->late[kept++] = *l;
    }
    ps->nlate = kept;
    return next;
}

static void peer_udp_serve(struct peer_set *ps, struct peer_ent *e)
{
    for (int k = 0; k < PEER_UDP_BURST; k++) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(e->fd, ps->buf, PEER_BUF, MSG_DONTWAIT | MSG_TRUNC,
                             (struct sockaddr *)&from, &fl);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            continue; /* e.g. an ICMP error from an earlier reply: nothing to record */
        }
        size_t len = (size_t)n > PEER_BUF ? PEER_BUF : (size_t)n;
        uint32_t addr = ntohl(from.sin_addr.s_addr);
        struct peer_conn *c = peer_udp_sender(e, addr, ntohs(from.sin_port));
        if (!c || !peer_record_fits(&c->received, len))
            continue;
        peer_udp_keep(c, ps->buf, len);
        /* Replies go to loopback senders only, whatever arrives. */
        if (e->cfg.reply == REPLY_NONE || (addr >> 24) != 127)
            continue;
        if (e->cfg.delay_ms > 0 && c->ndgrams == 1) /* only the first: one late reply is the test */
            peer_udp_defer(ps, (size_t)(e - ps->ents), (size_t)(c - e->obs.conns), &from, ps->buf, len);
        else
            peer_udp_answer(e, c, &from, ps->buf, len);
    }
}

static void peer_watch_serve(struct peer_ent *e)
{
    for (;;) {
        int fd;
        if (peer_is_tcp(e->cfg.type)) {
            fd = accept4(e->watch_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd < 0)
                return;
            close(fd);
        } else {
            char b;
            if (recv(e->watch_fd, &b, 1, MSG_DONTWAIT | MSG_TRUNC) < 0)
                return;
        }
        e->obs.swapped_hits++;
    }
}

/* Fills the poll set; grows the arrays as needed. Returns the number of entries. */
static size_t peer_poll_set(struct peer_set *ps, struct pollfd **pfd, struct peer_tag **tag,
                            size_t *cap)
{
    size_t need = 1 + 2 * ps->n + ps->ntconns, n = 0;
    if (need > *cap) {
        *cap = need;
        *pfd = xrealloc(*pfd, need * sizeof **pfd);
        *tag = xrealloc(*tag, need * sizeof **tag);
    }
    (*pfd)[n] = (struct pollfd){.fd = ps->stop_rd, .events = POLLIN};
    (*tag)[n++] = (struct peer_tag){.kind = TAG_STOP, .i = 0};
    for (size_t i = 0; i < ps->n; i++) {
        const struct peer_ent *e = &ps->ents[i];
        bool serves = e->cfg.type != PEER_TCP_SQUAT && e->cfg.type != PEER_UDP_SQUAT;
        if (serves && e->fd >= 0) {
            (*pfd)[n] = (struct pollfd){.fd = e->fd, .events = POLLIN};
            (*tag)[n++] = (struct peer_tag){.kind = TAG_MAIN, .i = i};
        }
        if (e->watch_fd >= 0) {
            (*pfd)[n] = (struct pollfd){.fd = e->watch_fd, .events = POLLIN};
            (*tag)[n++] = (struct peer_tag){.kind = TAG_WATCH, .i = i};
        }
    }
    for (size_t i = 0; i < ps->ntconns; i++) {
        short ev = peer_tcp_events(&ps->tconns[i]);
        if (ev) {
            (*pfd)[n] = (struct pollfd){.fd = ps->tconns[i].fd, .events = ev};
            (*tag)[n++] = (struct peer_tag){.kind = TAG_CONN, .i = i};
        }
    }
    return n;
}

static void peer_dispatch(struct peer_set *ps, const struct pollfd *pfd,
                          const struct peer_tag *tag, size_t n)
{
    int64_t now = util_now_ms();
    for (size_t k = 0; k < n; k++) {
        if (!pfd[k].revents)
            continue;
        size_t i = tag[k].i;
        if (tag[k].kind == TAG_MAIN && peer_is_tcp(ps->ents[i].cfg.type))
            peer_tcp_accept(ps, i);
        else if (tag[k].kind == TAG_MAIN)
            peer_udp_serve(ps, &ps->ents[i]);
        else if (tag[k].kind == TAG_WATCH)
            peer_watch_serve(&ps->ents[i]);
        else if (tag[k].kind == TAG_CONN)
            ps->tconns[i].revents = pfd[k].revents;
    }
    for (size_t i = 0; i < ps->ntconns; i++)
        peer_tcp_step(ps, i, now);
    peer_tcp_reap(ps);
}

/* On stop, what already arrived is still recorded: a program that sent and exited at once
 * may have been faster than this thread. Bounded, since a sender may still be sending. */
static void peer_drain(struct peer_set *ps, struct pollfd **pfd, struct peer_tag **tag, size_t *cap)
{
    for (int round = 0; round < PEER_DRAIN_ROUNDS; round++) {
        size_t n = peer_poll_set(ps, pfd, tag, cap);
        struct timespec zero = {0, 0};
        if (ppoll(*pfd + 1, n - 1, &zero, NULL) <= 0)
            return;
        (*pfd)[0].revents = 0;
        peer_dispatch(ps, *pfd, *tag, n);
    }
}

static void *peer_thread(void *arg)
{
    struct peer_set *ps = arg;
    struct pollfd *pfd = NULL;
    struct peer_tag *tag = NULL;
    size_t cap = 0;
    for (;;) {
        size_t n = peer_poll_set(ps, &pfd, &tag, &cap);
        long us = peer_tcp_rest_us(ps, util_now_ms());
        long late_us = peer_late_send(ps, util_now_ms());
        if (late_us >= 0 && (us < 0 || late_us < us))
            us = late_us;
        struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
        int r = ppoll(pfd, n, us < 0 ? NULL : &ts, NULL);
        if (r < 0 && errno != EINTR)
            break; /* cannot happen with valid arguments; stop rather than spin */
        if (r > 0 && pfd[0].revents) {
            peer_drain(ps, &pfd, &tag, &cap);
            break;
        }
        if (r == 0 && peer_tcp_any_gated(ps))
            ps->backoff_us = netstate_backoff_next(ps->backoff_us);
        peer_dispatch(ps, pfd, tag, r > 0 ? n : 0);
    }
    free(pfd);
    free(tag);
    return NULL;
}

/* A socket of the given type bound to addr:port (listening for TCP). Returns fd or -1. */
static int peer_socket(const char *name, int type, uint32_t addr, uint16_t port,
                       char *err, size_t errlen)
{
    const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
    int rc = -1, saved = 0;
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return util_err(err, errlen, "peer %s: socket: %s", name, strerror(errno));
    /* TCP only: lets a peer rebind over TIME_WAIT. On UDP it would let a program share the
     * port (a busy-port check would then pass); port sharing options never, for that reason. */
    int one = 1;
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(addr)};
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        saved = errno; /* the caller may forgive EACCES */
        util_err(err, errlen, "peer %s: bind %s:%u/%s: %s", name, ip, port, proto, strerror(saved));
        goto out;
    }
    if (type == SOCK_STREAM && listen(fd, PEER_BACKLOG) < 0) {
        util_err(err, errlen, "peer %s: listen %s:%u: %s", name, ip, port, strerror(errno));
        goto out;
    }
    rc = fd;
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    if (saved)
        errno = saved;
    return rc;
}

static char *peer_dup(const char *s, size_t len)
{
    return s ? xstrndup(s, len) : NULL;
}

static void peer_ent_init(struct peer_ent *e, const struct peer_config *cfg)
{
    e->cfg = *cfg;
    e->cfg.name = xstrdup(cfg->name ? cfg->name : "");
    e->cfg.text = peer_dup(cfg->text, cfg->text_len);
    e->cfg.stranger = peer_dup(cfg->stranger, cfg->stranger_len);
    if (e->cfg.pieces < 1)
        e->cfg.pieces = 1;
    e->fd = e->watch_fd = e->stranger_fd = -1;
    e->obs.name = e->cfg.name;
    e->obs.addr = cfg->addr;
    e->obs.port = cfg->port;
    e->obs.udp = cfg->type == PEER_UDP_ECHO || cfg->type == PEER_UDP_SQUAT;
}

static int peer_ent_bind(struct peer_ent *e, char *err, size_t errlen)
{
    const struct peer_config *cfg = &e->cfg;
    int type = peer_is_tcp(cfg->type) ? SOCK_STREAM : SOCK_DGRAM;
    e->fd = peer_socket(cfg->name, type, cfg->addr, cfg->port, err, errlen);
    if (e->fd < 0)
        return -1;
    uint16_t swapped = peer_swap16(cfg->port);
    if (cfg->watch_swapped && swapped != cfg->port) {
        e->obs.swapped_port = swapped;
        e->watch_fd = peer_socket(cfg->name, type, cfg->addr, swapped, err, errlen);
        /* A swapped port below 1024 needs a privilege a grader without namespaces (and not
         * root) lacks; the watch only adds a hint, so the check goes on without it. */
        if (e->watch_fd < 0 && errno == EACCES && swapped < 1024 && err && errlen)
            err[0] = '\0';
        else if (e->watch_fd < 0)
            return -1;
    }
    if (cfg->type == PEER_UDP_ECHO && cfg->stranger) {
        e->stranger_fd = peer_socket(cfg->name, SOCK_DGRAM, PEER_STRANGER_ADDR, 0, err, errlen);
        if (e->stranger_fd < 0)
            return -1;
    }
    return 0;
}

struct peer_set *peer_set_bind(const struct peer_config *cfg, size_t n, char *err, size_t errlen)
{
    struct peer_set *ps = xcalloc(1, sizeof *ps);
    int pfd[2] = {-1, -1};
    bool ok = false;
    ps->stop_rd = ps->stop_wr = -1;
    ps->n = n;
    ps->ents = xcalloc(n ? n : 1, sizeof *ps->ents);
    ps->buf = xmalloc(PEER_BUF + 1);
    ps->backoff_us = NETSTATE_BACKOFF_MIN_US;
    for (size_t i = 0; i < n; i++)
        peer_ent_init(&ps->ents[i], &cfg[i]);
    if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
        util_err(err, errlen, "peer: pipe: %s", strerror(errno));
        goto out;
    }
    ps->stop_rd = pfd[0];
    ps->stop_wr = pfd[1];
    for (size_t i = 0; i < n; i++)
        if (peer_ent_bind(&ps->ents[i], err, errlen) < 0)
            goto out;
    ok = true;
out:
    if (!ok) {
        peer_set_free(ps);
        ps = NULL;
    }
    return ps;
}

int peer_set_serve(struct peer_set *ps, char *err, size_t errlen)
{
    if (ps->running)
        return 0;
    int rc = pthread_create(&ps->thread, NULL, peer_thread, ps);
    if (rc != 0)
        return util_err(err, errlen, "peer: start thread: %s", strerror(rc));
    ps->running = true;
    return 0;
}

static void peer_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void peer_set_stop(struct peer_set *ps)
{
    if (!ps)
        return;
    if (ps->running) {
        char b = 'x';
        while (write(ps->stop_wr, &b, 1) < 0 && errno == EINTR)
            ;
        pthread_join(ps->thread, NULL);
        ps->running = false;
    }
    peer_tcp_close_all(ps);
    for (size_t i = 0; i < ps->n; i++) {
        peer_close(&ps->ents[i].fd);
        peer_close(&ps->ents[i].watch_fd);
        peer_close(&ps->ents[i].stranger_fd);
    }
}

const struct peer_obs *peer_set_obs(const struct peer_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->ents[i].obs.name, name) == 0)
            return &ps->ents[i].obs;
    return NULL;
}

size_t peer_set_count(const struct peer_set *ps)
{
    return ps->n;
}

const struct peer_obs *peer_set_obs_at(const struct peer_set *ps, size_t i)
{
    return i < ps->n ? &ps->ents[i].obs : NULL;
}

static void peer_ent_free(struct peer_ent *e)
{
    for (size_t i = 0; i < e->obs.nconns; i++) {
        strbuf_release(&e->obs.conns[i].received);
        strbuf_release(&e->obs.conns[i].sent);
        free(e->obs.conns[i].dgram_lens);
    }
    free(e->obs.conns);
    free((char *)e->cfg.name);
    free((char *)e->cfg.text);
    free((char *)e->cfg.stranger);
}

void peer_set_free(struct peer_set *ps)
{
    if (!ps)
        return;
    peer_set_stop(ps);
    for (size_t i = 0; i < ps->n; i++)
        peer_ent_free(&ps->ents[i]);
    peer_close(&ps->stop_rd);
    peer_close(&ps->stop_wr);
    for (size_t i = 0; i < ps->nlate; i++)
        strbuf_release(&ps->late[i].data);
    free(ps->late);
    free(ps->ents);
    free(ps->tconns);
    free(ps->buf);
    free(ps);
}
