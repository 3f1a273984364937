/* peer_int: what the parts of the peer module share: peer.c (the set, its serving thread, UDP
 * and watchers) calls peer_tcp.c (accepted TCP connections: line framing, replies in pieces,
 * the wait for the program to consume each piece); both keep their records with
 * peer_record.c. Not for other modules. */
#ifndef SOCKGRADE_PEER_INT_H
#define SOCKGRADE_PEER_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe.h"
#include "peer.h"

#define PEER_BUF 65536                 /* one read; also the largest UDP datagram */
#define PEER_RECORD_CAP (4u << 20)     /* bytes kept per connection: a flood is not a record */
#define PEER_TOTAL_CAP (16u << 20)    /* bytes kept over all peers of a check, received and
                                          sent: many connections cannot add up to a flood */
#define PEER_MAX_CONNS 1024            /* connections or UDP senders kept per peer */
#define PEER_OUT_MAX (256u << 10)      /* unsent reply bytes before a connection stops reading */
#define PEER_LINE_MAX (64u << 10)      /* a "line" this long is answered without its newline */
#define PEER_LINE_IDLE_MS 500          /* a partial line idle this long is answered as it is:
                                          a last stdin line without a newline still gets its
                                          echo, and a line split by a busy host stays whole */

struct peer_ent {
    struct peer_config cfg;            /* strings are the set's own copies */
    int fd;                            /* listening or UDP socket */
    int watch_fd;                      /* on the byte-swapped port */
    int stranger_fd;                   /* UDP on 127.0.0.2, for PEER_UDP_ECHO's stranger */
    struct peer_obs obs;
    size_t conns_cap;
};

/* One accepted TCP connection. The reply queue `out` is written up to the next cut, then
 * the connection is gated until the program has consumed what it was sent. */
struct peer_tconn {
    int fd;
    size_t ent;                        /* index in the set's ents */
    size_t conn;                       /* index in that peer's obs.conns */
    struct strbuf line;                /* received bytes not yet ending a line */
    int64_t line_ms;                   /* when `line` last grew */
    struct strbuf out;                 /* replies queued */
    size_t off;                        /* bytes of `out` written */
    size_t *cuts;                      /* offsets in `out` where a piece ends */
    size_t ncuts, cut_next, cuts_cap;
    short revents;                     /* from this round's poll */
    bool gated;                        /* waiting until the last piece was consumed */
    bool rd_eof;                       /* the program closed its side */
    bool wr_shut;                      /* PEER_TCP_SEND: all sent, our side shut */
};

/* A UDP reply held back for the peer's delay_ms (a slow server). */
struct peer_late {
    size_t ent, conn;                  /* indexes: conns may move as senders are added */
    struct sockaddr_in to;
    struct strbuf data;                /* the datagram it answers */
    int64_t due_ms;
};

struct peer_set {
    struct peer_ent *ents;
    size_t n;
    struct peer_late *late;            /* replies not yet due, in arrival order */
    size_t nlate, late_cap;
    int stop_rd, stop_wr;              /* a byte written here ends the thread */
    pthread_t thread;
    bool running;
    struct peer_tconn *tconns;
    size_t ntconns, tconns_cap;
    char *buf;                         /* PEER_BUF + 1 bytes of scratch for the thread */
    long backoff_us;                   /* how long the loop rests while a piece is gated */
};

/* peer_record.c */
struct peer_conn *peer_conn_add(struct peer_ent *e, uint32_t addr, uint16_t port);
/* Appends to a record unless it is full; returns how many bytes were kept. */
size_t peer_record(struct strbuf *sb, const void *data, size_t len);
/* Would len more bytes still fit in the record (and in the check's total)? */
bool peer_record_fits(const struct strbuf *sb, size_t len);
void peer_reply_make(enum peer_reply reply, const char *in, size_t len, struct strbuf *out);

/* peer_tcp.c */
void peer_tcp_accept(struct peer_set *ps, size_t ent);
short peer_tcp_events(const struct peer_tconn *c);
/* Reads (when revents say so), answers, checks the gate, writes, closes when done. */
void peer_tcp_step(struct peer_set *ps, size_t i, int64_t now);
/* How long the loop may rest for the connections' sake, in microseconds; -1: no limit. */
long peer_tcp_rest_us(const struct peer_set *ps, int64_t now);
bool peer_tcp_any_gated(const struct peer_set *ps);
void peer_tcp_reap(struct peer_set *ps);
void peer_tcp_close_all(struct peer_set *ps);

/* observe.c: a socket of the grader's, whose traffic the observer leaves out. */
struct observe_own {
    bool udp;
    uint32_t addr;                     /* host order; 0: any address */
    uint16_t port;
};
/* Counts one captured packet (from its network header) in r when it is a TCP SYN without ACK
 * or a UDP datagram, from and to none of own's sockets; anything else is left out. */
void observe_take(struct observe_report *r, const struct observe_own *own, size_t nown,
                  const void *pkt, size_t len);

#endif
