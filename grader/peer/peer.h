/* peer: the loopback servers the grader plays while a program runs (echo servers that record
 * exact bytes, a daytime server, busy ports). All sockets are bound by peer_set_bind() BEFORE
 * the program starts, so a program can never take a peer's port; a thread then serves them
 * until peer_set_stop(). What crossed the wire is kept as observations. */
#ifndef SOCKGRADE_PEER_H
#define SOCKGRADE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/spec.h"
#include "util/util.h"

/* TCP echo replies are made per line ('\n'), so REPLY_REVERSE is the same however a line
 * was segmented; a partial line is answered when the program closes its side, or after it
 * has been idle for half a second (a last line without a newline still gets its echo). */
struct peer_config {
    const char *name;
    enum peer_type type;
    uint32_t addr;            /* host order, e.g. 0x7f000001 */
    uint16_t port;
    enum peer_reply reply;
    int pieces;               /* >= 1 */
    const char *text;         /* PEER_TCP_SEND payload */
    size_t text_len;
    const char *stranger;     /* PEER_UDP_ECHO: datagram from 127.0.0.2 before each reply */
    size_t stranger_len;
    int delay_ms;             /* PEER_UDP_ECHO: the first reply to each sender this late */
    bool watch_swapped;       /* also listen on the byte-swapped port and record hits */
    int netstate;             /* netstate handle, to see when a piece was consumed */
};

struct peer_conn {            /* one TCP connection or one UDP sender */
    uint32_t src_addr;        /* host order */
    uint16_t src_port;
    struct strbuf received;   /* TCP: the byte stream; UDP: datagrams concatenated */
    size_t *dgram_lens;       /* UDP: length of each datagram, in order */
    size_t ndgrams;
    struct strbuf sent;       /* what the peer sent back */
};

struct peer_obs {
    const char *name;
    uint32_t addr;            /* host order: where the peer listened */
    uint16_t port;
    bool udp;                 /* conns are UDP senders, not TCP connections */
    struct peer_conn *conns;
    size_t nconns;
    size_t swapped_hits;      /* connections/datagrams that arrived on the byte-swapped port */
    uint16_t swapped_port;
};

struct peer_set;

/* Binds every peer (and its swapped-port watcher). Returns NULL with err on failure. */
struct peer_set *peer_set_bind(const struct peer_config *cfg, size_t n, char *err, size_t errlen);
/* Starts the serving thread. */
int peer_set_serve(struct peer_set *ps, char *err, size_t errlen);
/* Stops the thread and closes the sockets; observations stay readable until peer_set_free.
 * What had already arrived is recorded first (a program may send and exit at once). Read
 * observations only after this: the thread writes them while it serves. */
void peer_set_stop(struct peer_set *ps);
const struct peer_obs *peer_set_obs(const struct peer_set *ps, const char *name);
size_t peer_set_count(const struct peer_set *ps);
const struct peer_obs *peer_set_obs_at(const struct peer_set *ps, size_t i);
void peer_set_free(struct peer_set *ps);

uint16_t peer_swap16(uint16_t port);

#endif
