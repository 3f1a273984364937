/* peer_tcp: the accepted TCP connections of the peers. Replies are made per line, so a
 * transformed reply (REPLY_REVERSE) is the same however the line was segmented; each reply
 * may go out in pieces, the next written only when the program has read the previous one
 * (seen in the kernel's socket table), which catches a client that reads only once. Nothing
 * here blocks: every connection keeps its own state and the serving loop polls. */
#include "peer_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netstate.h"

static void peer_tcp_cut(struct peer_tconn *c, size_t at)
{
    if (c->ncuts == c->cuts_cap) {
        c->cuts_cap = c->cuts_cap ? 2 * c->cuts_cap : 8;
        c->cuts = xrealloc(c->cuts, c->cuts_cap * sizeof *c->cuts);
    }
    c->cuts[c->ncuts++] = at;
}

/* Queues one reply split into `pieces` parts; a reply shorter than that has fewer parts. */
static void peer_tcp_queue(struct peer_tconn *c, const char *data, size_t len, int pieces)
{
    size_t base = c->out.len;
    strbuf_add(&c->out, data, len);
    for (int k = 1; k < pieces; k++) {
        size_t at = base + len * (size_t)k / (size_t)pieces;
        if (at > base && at < base + len && (c->ncuts == 0 || at > c->cuts[c->ncuts - 1]))
            peer_tcp_cut(c, at);
    }
}

static void peer_tcp_reply(struct peer_set *ps, struct peer_tconn *c, const char *data, size_t len)
{
    const struct peer_config *cfg = &ps->ents[c->ent].cfg;
    struct strbuf r;
    strbuf_init(&r);
    peer_reply_make(cfg->reply, data, len, &r);
    peer_tcp_queue(c, r.data ? r.data : "", r.len, cfg->pieces);
    strbuf_release(&r);
}

/* Answers every complete line in c->line; with flush, also what is left. */
static void peer_tcp_lines(struct peer_set *ps, struct peer_tconn *c, bool flush)
{
    size_t start = 0;
    while (start < c->line.len) {
        const char *nl = memchr(c->line.data + start, '\n', c->line.len - start);
        if (!nl)
            break;
        size_t end = (size_t)(nl - c->line.data) + 1;
        peer_tcp_reply(ps, c, c->line.data + start, end - start);
        start = end;
    }
    if (start < c->line.len && (flush || c->line.len - start >= PEER_LINE_MAX)) {
        peer_tcp_reply(ps, c, c->line.data + start, c->line.len - start);
        start = c->line.len;
    }
    if (start > 0) {
        memmove(c->line.data, c->line.data + start, c->line.len - start);
        c->line.len -= start;
        c->line.data[c->line.len] = '\0';
    }
}

static struct peer_conn *peer_tcp_obs(struct peer_set *ps, const struct peer_tconn *c)
{
    return &ps->ents[c->ent].obs.conns[c->conn];
}

/* Returns -1 when the connection failed (reset): it is closed without more ado. */
static int peer_tcp_read(struct peer_set *ps, struct peer_tconn *c, int64_t now)
{
    const struct peer_config *cfg = &ps->ents[c->ent].cfg;
    ssize_t n = recv(c->fd, ps->buf, PEER_BUF, MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    bool answers = cfg->type == PEER_TCP_ECHO && cfg->reply != REPLY_NONE;
    if (n == 0) {
        c->rd_eof = true;
        if (answers)
            peer_tcp_lines(ps, c, true);
        return 0;
    }
    size_t kept = peer_record(&peer_tcp_obs(ps, c)->received, ps->buf, (size_t)n);
    if (answers && kept > 0) {
        strbuf_add(&c->line, ps->buf, kept);
        c->line_ms = now;
        peer_tcp_lines(ps, c, false);
    }
    return 0;
}

/* Writes up to the next cut. Returns -1 when the program is gone: stop sending. */
static int peer_tcp_write(struct peer_set *ps, struct peer_tconn *c)
{
    while (!c->gated && c->off < c->out.len) {
        size_t limit = c->cut_next < c->ncuts ? c->cuts[c->cut_next] : c->out.len;
        ssize_t n = send(c->fd, c->out.data + c->off, limit - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        peer_record(&peer_tcp_obs(ps, c)->sent, c->out.data + c->off, (size_t)n);
        c->off += (size_t)n;
        if (c->off == limit && limit < c->out.len) {
            c->gated = true;
            c->cut_next++;
            ps->backoff_us = NETSTATE_BACKOFF_MIN_US;
        }
    }
    if (!c->gated && c->off == c->out.len) {
        c->out.len = c->off = c->ncuts = c->cut_next = 0; /* keep the buffers for the next reply */
        if (ps->ents[c->ent].cfg.type == PEER_TCP_SEND && !c->wr_shut) {
            /* Shut, not close: a close with unread input would reset the connection and could
             * destroy the text before the program read it. */
            shutdown(c->fd, SHUT_WR);
            c->wr_shut = true;
        }
    }
    return 0;
}

static bool peer_tcp_done(const struct peer_set *ps, const struct peer_tconn *c)
{
    if (ps->ents[c->ent].cfg.type == PEER_TCP_SEND)
        return c->wr_shut && c->rd_eof;
    return c->rd_eof && !c->gated && c->off == c->out.len;
}

void peer_tcp_step(struct peer_set *ps, size_t i, int64_t now)
{
    struct peer_tconn *c = &ps->tconns[i];
    short revents = c->revents;
    c->revents = 0;
    if (c->fd < 0)
        return;
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && peer_tcp_read(ps, c, now) < 0)
        goto close;
    if (c->line.len > 0 && now - c->line_ms >= PEER_LINE_IDLE_MS)
        peer_tcp_lines(ps, c, true);
    if (c->gated && netstate_peer_consumed(ps->ents[c->ent].cfg.netstate, c->fd))
        c->gated = false;
    if (peer_tcp_write(ps, c) < 0 || peer_tcp_done(ps, c))
        goto close;
    return;
close:
    close(c->fd);
    c->fd = -1;
}

short peer_tcp_events(const struct peer_tconn *c)
{
    short ev = 0;
    if (c->fd < 0)
        return 0;
    /* A program that sends but never reads gets TCP's own back-pressure, not our memory. */
    if (!c->rd_eof && c->out.len - c->off < PEER_OUT_MAX)
        ev |= POLLIN;
    if (!c->gated && c->off < c->out.len)
        ev |= POLLOUT;
    return ev;
}

long peer_tcp_rest_us(const struct peer_set *ps, int64_t now)
{
    long us = -1;
    for (size_t i = 0; i < ps->ntconns; i++) {
        const struct peer_tconn *c = &ps->tconns[i];
        if (c->fd < 0)
            continue;
        if (c->gated && (us < 0 || ps->backoff_us < us))
            us = ps->backoff_us;
        if (c->line.len > 0) {
            int64_t left = c->line_ms + PEER_LINE_IDLE_MS - now;
            long lus = left > 0 ? (long)left * 1000 : 0;
            if (us < 0 || lus < us)
                us = lus;
        }
    }
    return us;
}

bool peer_tcp_any_gated(const struct peer_set *ps)
{
    for (size_t i = 0; i < ps->ntconns; i++)
        if (ps->tconns[i].fd >= 0 && ps->tconns[i].gated)
            return true;
    return false;
}

static struct peer_tconn *peer_tcp_new(struct peer_set *ps)
{
    if (ps->ntconns == ps->tconns_cap) {
        ps->tconns_cap = ps->tconns_cap ? 2 * ps->tconns_cap : 8;
        ps->tconns = xrealloc(ps->tconns, ps->tconns_cap * sizeof *ps->tconns);
    }
    struct peer_tconn *c = &ps->tconns[ps->ntconns++];
    memset(c, 0, sizeof *c);
    strbuf_init(&c->line);
    strbuf_init(&c->out);
    c->fd = -1;
    return c;
}

void peer_tcp_accept(struct peer_set *ps, size_t ent)
{
    struct peer_ent *e = &ps->ents[ent];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        int fd = accept4(e->fd, (struct sockaddr *)&from, &fl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or a connection that died in the queue */
        struct peer_conn *pc = peer_conn_add(e, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
        if (!pc) {
            close(fd);
            continue;
        }
        struct peer_tconn *c = peer_tcp_new(ps);
        c->fd = fd;
        c->ent = ent;
        c->conn = e->obs.nconns - 1;
        if (e->cfg.type == PEER_TCP_SEND)
            peer_tcp_queue(c, e->cfg.text ? e->cfg.text : "", e->cfg.text_len, e->cfg.pieces);
    }
}

static void peer_tcp_free(struct peer_tconn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    strbuf_release(&c->line);
    strbuf_release(&c->out);
    free(c->cuts);
    c->cuts = NULL;
}

void peer_tcp_reap(struct peer_set *ps)
{
    size_t keep = 0;
    for (size_t i = 0; i < ps->ntconns; i++) {
        if (ps->tconns[i].fd < 0)
            peer_tcp_free(&ps->tconns[i]);
        else
            ps->tconns[keep++] = ps->tconns[i];
    }
    ps->ntconns = keep;
}

void peer_tcp_close_all(struct peer_set *ps)
{
    for (size_t i = 0; i < ps->ntconns; i++)
        peer_tcp_free(&ps->tconns[i]);
    ps->ntconns = 0;
}
