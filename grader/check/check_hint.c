/* check_hint: what the observer saw on loopback (struct check_seen's observed) says about a
 * failed check, in words a student can act on: where the program went instead of the
 * grader's server, or that it connected and then sent nothing until it was stopped. These
 * hints are made from what was seen alone, never from the spec's hint, so they cannot ask for
 * what the program already does (no "call connect()" to a program whose SYN was seen). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

#define HINT_LISTED 3   /* destinations named in one sentence; the rest are counted */

/* Was text one of the program's arguments (so the hint can say "the port you were given")? */
static bool hint_given(const struct check_run *run, const char *text)
{
    const struct spec_check *c = run->ctx->check;
    bool found = false;
    for (size_t i = 0; i < c->nargs && !found; i++) {
        char err[UTIL_ERRLEN];
        char *a = env_expand(&run->env, c->args[i], NULL, err, sizeof err);
        found = a && strcmp(a, text) == 0;
        free(a);
    }
    return found;
}

/* One destination, appended to sb: with its kind and count for an actual ("2 UDP datagrams
 * (12 bytes) to 127.0.0.1:9877"), or bare for a hint, which every check of a run then words
 * alike whatever each sent ("127.0.0.1:9877"). */
static void hint_dest(struct strbuf *sb, const struct observe_dest *d, bool counted)
{
    char name[64];
    observe_dest_name(d, name, sizeof name);
    if (!counted)
        strbuf_addstr(sb, name);
    else if (d->udp)
        strbuf_addf(sb, "%zu UDP datagram%s (%zu bytes) to %s", d->count, d->count == 1 ? "" : "s",
                    d->bytes, name);
    else
        strbuf_addf(sb, "%zu TCP connection attempt%s to %s", d->count, d->count == 1 ? "" : "s",
                    name);
}

/* The destinations of one protocol (udp), or of both (all), joined: "a, b and 2 more". */
static void hint_dests(struct strbuf *sb, const struct observe_report *r, bool all, bool udp,
                       bool counted)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < r->ndests; i++)
        total += all || r->dests[i].udp == udp;
    for (size_t i = 0; i < r->ndests; i++) {
        if (!all && r->dests[i].udp != udp)
            continue;
        if (n == HINT_LISTED) {
            strbuf_addf(sb, " and %zu more", total - n);
            return;
        }
        strbuf_addstr(sb, n == 0 ? "" : n + 1 == total ? " and " : ", ");
        hint_dest(sb, &r->dests[i], counted);
        n++;
    }
}

char *check_hint_elsewhere(const struct check_seen *s)
{
    const struct observe_report *r = &s->observed;
    if (!r->on || r->ndests == 0)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb);
    hint_dests(&sb, r, true, false, true);
    if (r->more)
        strbuf_addf(&sb, " (and %zu more elsewhere)", r->more);
    return strbuf_detach(&sb);
}

static bool hint_same_addr(const struct observe_dest *d, uint32_t addr)
{
    uint32_t net = htonl(addr);
    return !d->v6 && memcmp(d->addr, &net, 4) == 0;
}

/* Where the peer is, said by what differs from where the program went. */
static void hint_where(struct strbuf *sb, const struct check_run *run, const struct peer_obs *o,
                       const struct observe_dest *d)
{
    char port[8], addr[INET_ADDRSTRLEN];
    snprintf(port, sizeof port, "%u", o->port);
    uint32_t net = htonl(o->addr);
    inet_ntop(AF_INET, &net, addr, sizeof addr);
    bool same_addr = hint_same_addr(d, o->addr), same_port = d->port == o->port;
    if (same_addr)
        strbuf_addf(sb, "on port %s", port);
    else if (same_port)
        strbuf_addf(sb, "at %s", addr);
    else
        strbuf_addf(sb, "at %s, port %s", addr, port);
    bool port_given = !same_port && hint_given(run, port);
    bool addr_given = !same_addr && hint_given(run, addr);
    if (port_given || addr_given)
        strbuf_addf(sb, ", the %s your program was given",
                    port_given && addr_given ? "address and port" : port_given ? "port" : "address");
}

/* A datagram to a TCP server's port, or a SYN to a UDP server's: the other kind of socket. */
static char *hint_wrong_type(const struct check_run *run, const struct peer_obs *o)
{
    const struct observe_report *r = &run->seen.observed;
    for (size_t i = 0; i < r->ndests; i++) {
        const struct observe_dest *d = &r->dests[i];
        if (d->udp == o->udp || d->port != o->port)
            continue;
        char name[64];
        observe_dest_name(d, name, sizeof name);
        if (o->udp)
            return xasprintf("your client tried a TCP connection to %s, where the %s server takes "
                             "UDP datagrams: a UDP client's socket is socket(AF_INET, SOCK_DGRAM, 0)",
                             name, o->name);
        return xasprintf("your client sent UDP datagrams to %s, where the %s server takes TCP "
                         "connections: a TCP client's socket is socket(AF_INET, SOCK_STREAM, 0)",
                         name, o->name);
    }
    return NULL;
}

/* Contacts of the peer's own protocol that went to another port or address. */
static char *hint_went_elsewhere(const struct check_run *run, const struct peer_obs *o)
{
    const struct observe_report *r = &run->seen.observed;
    const struct observe_dest *first = NULL;
    for (size_t i = 0; i < r->ndests && !first; i++)
        if (r->dests[i].udp == o->udp)
            first = &r->dests[i];
    if (!first)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addstr(&sb, o->udp ? "your client sent to " : "your client tried to connect to ");
    hint_dests(&sb, r, false, o->udp, false);
    strbuf_addf(&sb, ", where nothing listens; the %s server is ", o->name);
    hint_where(&sb, run, o, first);
    return strbuf_detach(&sb);
}

/* A TCP echo server waits for the client's bytes: a client that connected, sent nothing and
 * still held the connection open when it was stopped at the deadline waited without sending. */
static char *hint_silent(const struct check_run *run, const struct peer_obs *o,
                         const struct spec_peer *p)
{
    const struct check_seen *s = &run->seen;
    size_t got = 0;
    for (size_t i = 0; i < o->nconns; i++)
        got += o->conns[i].received.len;
    if (p->type != PEER_TCP_ECHO || o->nconns == 0 || got > 0 ||
        s->outcome.end != END_TIMEOUT || !observe_held(&s->observed, o->port))
        return NULL;
    char secs[32];
    if (s->timeout_ms % 1000 == 0)
        snprintf(secs, sizeof secs, "%d s", s->timeout_ms / 1000);
    else
        snprintf(secs, sizeof secs, "%.1f s", s->timeout_ms / 1000.0);
    return xasprintf("the %s server received nothing in %s: your client connected, then waited "
                     "without sending anything (still connected when it was stopped)%s", o->name, secs,
                     run->ctx->check->stdin_text ? "; send the line typed before waiting for the "
                                                   "reply" : "");
}

static const struct spec_peer *hint_spec_peer(const struct check_run *run, const char *name)
{
    const struct spec_check *c = run->ctx->check;
    for (size_t i = 0; i < c->npeers; i++)
        if (strcmp(c->peers[i].name, name) == 0)
            return &c->peers[i];
    return NULL;
}

char *check_hint_observed(const struct check_run *run)
{
    const struct check_seen *s = &run->seen;
    for (size_t i = 0; s->observed.on && i < s->npeers; i++) {
        const struct peer_obs *o = s->peers[i];
        const struct spec_peer *p = hint_spec_peer(run, o->name);
        if (!p || p->type == PEER_TCP_SQUAT || p->type == PEER_UDP_SQUAT)
            continue;
        char *h = NULL;
        if (o->nconns == 0 && o->swapped_hits == 0 && !(h = hint_wrong_type(run, o)))
            h = hint_went_elsewhere(run, o);
        else if (o->nconns > 0)
            h = hint_silent(run, o, p);
        if (h)
            return h;
    }
    return NULL;
}
