/* observe: a packet socket on `lo` of the check's own network namespace, read by a thread of
 * its own while the program runs. A classic BPF filter lets the kernel keep only what a hint
 * can use: packets arriving on lo (lo shows each packet twice, leaving and arriving), IPv4 or
 * IPv6, that are a TCP SYN without ACK (a connection attempt; the answer carries ACK) or a UDP
 * datagram, and only their first bytes. This file then leaves out what involves the peers'
 * own sockets (contacts the peers record themselves, and their replies), so what is left is
 * where the program went instead. Reading packets needs CAP_NET_RAW over the namespace, which
 * the runner has in the namespace it made; it sees nothing of the host. */
#include "observe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netstate.h"
#include "peer_int.h"

#define OBSERVE_SNAP 128           /* bytes kept of a packet: IP and TCP/UDP headers */
#define OBSERVE_OWN_MAX 64         /* grader sockets told apart (3 per peer) */
#define OBSERVE_BURST 256          /* packets read per wake-up, so a flood cannot keep the
                                      thread from its stop */
#define OBSERVE_DRAIN 4096         /* packets still queued taken at the stop */
#define OBSERVE_TABLE 64           /* sockets read per peer port from the table */
#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_ESTABLISHED 1

struct observer {
    int fd;                        /* the packet socket */
    int stop_rd, stop_wr;          /* a byte written here ends the thread */
    pthread_t thread;
    bool running;
    struct observe_own own[OBSERVE_OWN_MAX];
    size_t nown;
    uint16_t tcp_ports[OBSERVE_HELD]; /* the TCP peers' ports, for the table at the stop */
    size_t ntcp;
    struct observe_report rep;     /* the thread's until it is joined */
};

/* Offsets are from the network header (a SOCK_DGRAM packet socket). Jumps count the
 * instructions skipped: 17 accepts, 18 drops. */
static const struct sock_filter observe_filter[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PKTTYPE),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_HOST, 0, 16),
    /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PROTOCOL),
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
    /* 4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),            /* IPv4 flags, fragment */
    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 12, 0), /* a later fragment */
    /* 6 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),            /* X = IPv4 header length */
    /* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),             /* A = protocol */
    /* 8 */ BPF_STMT(BPF_JMP | BPF_JA, 3),
    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 8),
    /* 10 */ BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 40),
    /* 11 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),            /* next header */
    /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 3),
    /* 13 */ BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),           /* TCP flags */
    /* 14 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, TCP_SYN | TCP_ACK),
    /* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_SYN, 1, 2),
    /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 1),
    /* 17 */ BPF_STMT(BPF_RET | BPF_K, OBSERVE_SNAP),
    /* 18 */ BPF_STMT(BPF_RET | BPF_K, 0),
};

/* One packet as the filter kept it. */
struct observe_pkt {
    bool udp, v6;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    size_t payload;                /* UDP: the datagram's bytes */
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The filter's test again, so that a packet made up by a test is read the same way. */
static bool observe_parse(const uint8_t *p, size_t len, struct observe_pkt *k)
{
    size_t l4;
    int proto;
    memset(k, 0, sizeof *k);
    if (len >= 20 && p[0] >> 4 == 4) {
        l4 = (size_t)(p[0] & 0xf) * 4;
        if (l4 < 20 || (get16(p + 6) & 0x1fff))
            return false;
        proto = p[9];
        memcpy(k->src, p + 12, 4);
        memcpy(k->dst, p + 16, 4);
    } else if (len >= 40 && p[0] >> 4 == 6) {
        l4 = 40;
        proto = p[6];
        k->v6 = true;
        memcpy(k->src, p + 8, 16);
        memcpy(k->dst, p + 24, 16);
    } else {
        return false;
    }
    k->udp = proto == IPPROTO_UDP;
    if (proto == IPPROTO_TCP ? len < l4 + 14 || (p[l4 + 13] & (TCP_SYN | TCP_ACK)) != TCP_SYN
                             : !k->udp || len < l4 + 8)
        return false;
    k->sport = get16(p + l4);
    k->dport = get16(p + l4 + 2);
    if (k->udp)
        k->payload = get16(p + l4 + 4) >= 8 ? get16(p + l4 + 4) - 8u : 0;
    return true;
}

/* Is addr:port one of the grader's sockets? They are all IPv4. */
static bool observe_is_own(const struct observe_own *own, size_t n, bool udp, bool v6,
                           const uint8_t *addr, uint16_t port)
{
    uint32_t a;
    memcpy(&a, addr, 4);
    a = ntohl(a);
    for (size_t i = 0; !v6 && i < n; i++)
        if (own[i].udp == udp && own[i].port == port && (own[i].addr == 0 || own[i].addr == a))
            return true;
    return false;
}

void observe_take(struct observe_report *r, const struct observe_own *own, size_t nown,
                  const void *pkt, size_t len)
{
    struct observe_pkt k;
    if (!observe_parse(pkt, len, &k) ||
        observe_is_own(own, nown, k.udp, k.v6, k.src, k.sport) ||
        observe_is_own(own, nown, k.udp, k.v6, k.dst, k.dport))
        return;
    struct observe_dest *d = NULL;
    for (size_t i = 0; i < r->ndests && !d; i++)
        if (r->dests[i].udp == k.udp && r->dests[i].v6 == k.v6 && r->dests[i].port == k.dport &&
            memcmp(r->dests[i].addr, k.dst, sizeof k.dst) == 0)
            d = &r->dests[i];
    if (!d && r->ndests == OBSERVE_DESTS) {
        r->more++;
        return;
    }
    if (!d) {
        d = &r->dests[r->ndests++];
        *d = (struct observe_dest){ .udp = k.udp, .v6 = k.v6, .port = k.dport };
        memcpy(d->addr, k.dst, sizeof k.dst);
    }
    d->count++;
    d->bytes += k.payload;
}

/* Takes up to max queued packets; returns how many were read. */
static size_t observe_read(struct observer *ob, size_t max)
{
    uint8_t buf[OBSERVE_SNAP];
    size_t n = 0;
    for (; n < max; n++) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t got = recvfrom(ob->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        if (from.sll_pkttype != PACKET_OUTGOING)
            observe_take(&ob->rep, ob->own, ob->nown, buf, (size_t)got);
    }
    return n;
}

static void *observe_thread(void *arg)
{
    struct observer *ob = arg;
    struct pollfd pf[2] = { { .fd = ob->stop_rd, .events = POLLIN },
                            { .fd = ob->fd, .events = POLLIN } };
    for (;;) {
        int r = poll(pf, 2, -1);
        if (r < 0 && errno != EINTR)
            break; /* cannot happen with valid arguments; stop rather than spin */
        if (r > 0 && pf[0].revents)
            break;
        if (r > 0 && pf[1].revents)
            observe_read(ob, OBSERVE_BURST);
    }
    return NULL;
}

/* The grader's own sockets: each peer's, its byte-swapped watcher's and its stranger's, as
 * bound (the stranger's port is the kernel's choice). */
static void observe_own_sockets(struct observer *ob, const struct peer_set *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        const struct peer_ent *e = &ps->ents[i];
        int fds[3] = { e->fd, e->watch_fd, e->stranger_fd };
        for (int k = 0; k < 3 && ob->nown < OBSERVE_OWN_MAX; k++) {
            struct sockaddr_in sa;
            socklen_t sl = sizeof sa;
            if (fds[k] < 0 || getsockname(fds[k], (struct sockaddr *)&sa, &sl) < 0 ||
                sa.sin_family != AF_INET)
                continue;
            ob->own[ob->nown++] = (struct observe_own){ .udp = e->obs.udp || k == 2,
                                                        .addr = ntohl(sa.sin_addr.s_addr),
                                                        .port = ntohs(sa.sin_port) };
        }
        if (!e->obs.udp && e->fd >= 0 && ob->ntcp < OBSERVE_HELD)
            ob->tcp_ports[ob->ntcp++] = e->cfg.port;
    }
}

/* Filter first, then bind: a packet socket made with protocol 0 receives nothing until bound,
 * so no packet slips in unfiltered. */
static int observe_socket(char *err, size_t errlen)
{
    struct sock_fprog prog = { .len = sizeof observe_filter / sizeof observe_filter[0],
                               .filter = (struct sock_filter *)observe_filter };
    int rc = -1;
    int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return util_err(err, errlen, "observe: packet socket: %s", strerror(errno));
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                               .sll_ifindex = (int)if_nametoindex("lo") };
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
        util_err(err, errlen, "observe: attach filter: %s", strerror(errno));
    else if (sll.sll_ifindex == 0)
        util_err(err, errlen, "observe: no interface lo");
    else if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
        util_err(err, errlen, "observe: bind to lo: %s", strerror(errno));
    else {
        rc = fd;
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

struct observer *observe_open(const struct peer_set *ps, char *err, size_t errlen)
{
    struct observer *ob = xcalloc(1, sizeof *ob);
    int pfd[2] = { -1, -1 };
    ob->stop_rd = ob->stop_wr = -1;
    ob->fd = observe_socket(err, errlen);
    if (ob->fd >= 0 && pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
        util_err(err, errlen, "observe: pipe: %s", strerror(errno));
    ob->stop_rd = pfd[0];
    ob->stop_wr = pfd[1];
    if (ob->fd < 0 || ob->stop_rd < 0) {
        observe_free(ob);
        return NULL;
    }
    observe_own_sockets(ob, ps);
    ob->rep.on = true;
    return ob;
}

int observe_serve(struct observer *ob, char *err, size_t errlen)
{
    int rc = pthread_create(&ob->thread, NULL, observe_thread, ob);
    if (rc != 0)
        return util_err(err, errlen, "observe: start thread: %s", strerror(rc));
    ob->running = true;
    return 0;
}

static void observe_join(struct observer *ob)
{
    if (!ob->running)
        return;
    char b = 'x';
    while (write(ob->stop_wr, &b, 1) < 0 && errno == EINTR)
        ;
    pthread_join(ob->thread, NULL);
    ob->running = false;
}

/* A peer connection the program has not closed stays ESTABLISHED on the peer's side; its FIN
 * would have made it CLOSE_WAIT. */
static void observe_table(struct observer *ob, int netstate)
{
    struct netstate_sock socks[OBSERVE_TABLE];
    ob->rep.held_known = netstate >= 0;
    for (size_t i = 0; netstate >= 0 && i < ob->ntcp; i++) {
        int n = netstate_list(netstate, "tcp", ob->tcp_ports[i], socks, OBSERVE_TABLE);
        if (n < 0)
            ob->rep.held_known = false;
        bool held = false;
        for (int k = 0; k < n; k++)
            held |= socks[k].state == TCP_ESTABLISHED;
        if (held)
            ob->rep.held[ob->rep.nheld++] = ob->tcp_ports[i];
    }
}

void observe_stop(struct observer *ob, int netstate, struct observe_report *out)
{
    if (!ob) {
        *out = (struct observe_report){ .on = false };
        return;
    }
    observe_table(ob, netstate);
    observe_join(ob);
    observe_read(ob, OBSERVE_DRAIN);
    *out = ob->rep;
}

void observe_free(struct observer *ob)
{
    if (!ob)
        return;
    observe_join(ob);
    if (ob->fd >= 0)
        close(ob->fd);
    if (ob->stop_rd >= 0)
        close(ob->stop_rd);
    if (ob->stop_wr >= 0)
        close(ob->stop_wr);
    free(ob);
}

void observe_dest_name(const struct observe_dest *d, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN] = "?";
    inet_ntop(d->v6 ? AF_INET6 : AF_INET, d->addr, a, sizeof a);
    snprintf(buf, len, d->v6 ? "[%s]:%u" : "%s:%u", a, d->port);
}

bool observe_held(const struct observe_report *r, uint16_t port)
{
    for (size_t i = 0; i < r->nheld; i++)
        if (r->held[i] == port)
            return true;
    return false;
}
