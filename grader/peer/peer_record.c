/* peer_record: what the peers keep of what crossed the wire (capped per connection and per
 * check, so a flood is not a record) and the reply a peer makes. Used by both halves of the
 * peer (peer.c, peer_tcp.c); it uses neither. */
#include <string.h>

#include "peer_int.h"

/* What all peers of this runner (one check) have kept so far. */
static size_t peer_total;

/* A datagram is kept whole or not at all. */
bool peer_record_fits(const struct strbuf *sb, size_t len)
{
    return sb->len + len <= PEER_RECORD_CAP && peer_total + len <= PEER_TOTAL_CAP;
}

size_t peer_record(struct strbuf *sb, const void *data, size_t len)
{
    if (sb->len >= PEER_RECORD_CAP || peer_total >= PEER_TOTAL_CAP)
        return 0;
    if (len > PEER_RECORD_CAP - sb->len)
        len = PEER_RECORD_CAP - sb->len;
    if (len > PEER_TOTAL_CAP - peer_total)
        len = PEER_TOTAL_CAP - peer_total;
    strbuf_add(sb, data, len);
    peer_total += len;
    return len;
}

void peer_reply_make(enum peer_reply reply, const char *in, size_t len, struct strbuf *out)
{
    strbuf_add(out, in, len);
    if (reply != REPLY_REVERSE)
        return;
    /* Same length, different bytes: a client that prints its own input is caught. */
    size_t body = (len > 0 && in[len - 1] == '\n') ? len - 1 : len;
    for (size_t i = 0; i < body / 2; i++) {
        char t = out->data[i];
        out->data[i] = out->data[body - 1 - i];
        out->data[body - 1 - i] = t;
    }
}

/* A new record of a connection or sender; NULL once the peer has kept PEER_MAX_CONNS. */
struct peer_conn *peer_conn_add(struct peer_ent *e, uint32_t addr, uint16_t port)
{
    struct peer_obs *o = &e->obs;
    if (o->nconns >= PEER_MAX_CONNS)
        return NULL;
    if (o->nconns == e->conns_cap) {
        e->conns_cap = e->conns_cap ? 2 * e->conns_cap : 4;
        o->conns = xrealloc(o->conns, e->conns_cap * sizeof *o->conns);
    }
    struct peer_conn *c = &o->conns[o->nconns++];
    memset(c, 0, sizeof *c);
    c->src_addr = addr;
    c->src_port = port;
    strbuf_init(&c->received);
    strbuf_init(&c->sent);
    strbuf_add(&c->received, "", 0); /* readers get "" rather than NULL */
    strbuf_add(&c->sent, "", 0);
    return c;
}
