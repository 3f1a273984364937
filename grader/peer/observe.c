/* observe: raw sockets in the check's own network namespace, read by a thread of their own
 * while the program runs. A raw socket gets a copy of every TCP or UDP packet the namespace
 * receives (on lo: every packet sent), before TCP answers a SYN with a RST or UDP a datagram
 * with "port unreachable". A classic BPF filter lets the kernel keep only what a hint can use:
 * a TCP SYN without ACK (a connection attempt; the answer carries ACK) or a UDP datagram, and
 * only its first bytes. This file then leaves out what involves the peers' own sockets
 * (contacts the peers record themselves, and their replies), so what is left is where the
 * program went instead. Raw sockets, not a packet socket on lo: closing a packet socket waits
 * for an RCU grace period (8 to 22 ms measured), on every check. Reading packets needs
 * CAP_NET_RAW over the namespace, which the runner has in the namespace it made; it sees
 * nothing of the host, and the program, in a nested user namespace, cannot open one. */
#include "observe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
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
#define OBSERVE_V6_HDR 40          /* an IPv6 raw socket gets the packet without it */
#define OBSERVE_OWN_MAX 64         /* grader sockets told apart (3 per peer) */
#define OBSERVE_BURST 256          /* packets read per wake-up, so a flood cannot keep the
                                      thread from its stop */
#define OBSERVE_DRAIN 4096         /* packets still queued taken at the stop */
#define OBSERVE_TABLE 64           /* sockets read per peer port from the table */
#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_ESTABLISHED 1

enum { SOCK_V4_TCP, SOCK_V4_UDP, SOCK_V6_TCP, SOCK_V6_UDP, OBSERVE_SOCKS };

struct observer {
    int fd[OBSERVE_SOCKS];         /* raw sockets; IPv6 ones are -1 where IPv6 is off */
    int stop_rd, stop_wr;          /* a byte written here ends the thread */
    pthread_t thread;
    bool running;
    struct observe_own own[OBSERVE_OWN_MAX];
    size_t nown;
    uint16_t tcp_ports[OBSERVE_HELD]; /* the TCP peers' ports, for the table at the stop */
    size_t ntcp;
    struct observe_report rep;     /* the thread's until it is joined */
};

/* IPv4 raw sockets see the packet from its IP header. Jumps count the instructions
 * skipped: 8 accepts, 9 drops. */
static const struct sock_filter observe_filter_v4[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),             /* flags, fragment offset */
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 7, 0), /* a later fragment */
    /* 2 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),             /* X = header length */
    /* 3 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),              /* protocol */
    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 3),
    /* 5 */ BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),             /* TCP flags */
    /* 6 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, TCP_SYN | TCP_ACK),
    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_SYN, 0, 1),
    /* 8 */ BPF_STMT(BPF_RET | BPF_K, OBSERVE_SNAP),
    /* 9 */ BPF_STMT(BPF_RET | BPF_K, 0),
};

/* IPv6 raw sockets see it from the TCP or UDP header. */
static const struct sock_filter observe_filter_v6_tcp[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, TCP_SYN | TCP_ACK),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_SYN, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, OBSERVE_SNAP - OBSERVE_V6_HDR),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

static const struct sock_filter observe_filter_v6_udp[] = {
    BPF_STMT(BPF_RET | BPF_K, OBSERVE_SNAP - OBSERVE_V6_HDR),
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

/* An IPv6 raw socket gives the packet without its header: it is made again from the sender
 * (the message's name) and the destination (IPV6_PKTINFO), so that one parser reads both. */
static ssize_t observe_recv_v6(int fd, int proto, uint8_t *buf, size_t len)
{
    struct sockaddr_in6 from = { 0 };
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } ctl;
    struct iovec iov = { .iov_base = buf + OBSERVE_V6_HDR, .iov_len = len - OBSERVE_V6_HDR };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl };
    ssize_t got = recvmsg(fd, &m, MSG_DONTWAIT);
    if (got < 0)
        return got;
    memset(buf, 0, OBSERVE_V6_HDR);
    buf[0] = 0x60;
    buf[6] = (uint8_t)proto;
    memcpy(buf + 8, &from.sin6_addr, 16);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
            memcpy(buf + 24, &((const struct in6_pktinfo *)CMSG_DATA(c))->ipi6_addr, 16);
    return got + OBSERVE_V6_HDR;
}

/* Takes up to max packets queued on raw socket k; returns how many were read. */
static size_t observe_read(struct observer *ob, int k, size_t max)
{
    uint8_t buf[OBSERVE_SNAP];
    size_t n = 0;
    while (ob->fd[k] >= 0 && n < max) {
        ssize_t got = k == SOCK_V6_TCP || k == SOCK_V6_UDP
                          ? observe_recv_v6(ob->fd[k], k == SOCK_V6_TCP ? IPPROTO_TCP : IPPROTO_UDP,
                                            buf, sizeof buf)
                          : recv(ob->fd[k], buf, sizeof buf, MSG_DONTWAIT);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        observe_take(&ob->rep, ob->own, ob->nown, buf, (size_t)got);
        n++;
    }
    return n;
}

static void *observe_thread(void *arg)
{
    struct observer *ob = arg;
    struct pollfd pf[1 + OBSERVE_SOCKS] = { { .fd = ob->stop_rd, .events = POLLIN } };
    for (int k = 0; k < OBSERVE_SOCKS; k++)
        pf[1 + k] = (struct pollfd){ .fd = ob->fd[k], .events = POLLIN }; /* -1: ignored */
    for (;;) {
        int r = poll(pf, 1 + OBSERVE_SOCKS, -1);
        if (r < 0 && errno != EINTR)
            break; /* cannot happen with valid arguments; stop rather than spin */
        if (r > 0 && pf[0].revents)
            break;
        for (int k = 0; r > 0 && k < OBSERVE_SOCKS; k++)
            if (pf[1 + k].revents)
                observe_read(ob, k, OBSERVE_BURST);
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

/* A raw socket of family and protocol with its filter; IPv6 ones also say each packet's
 * destination. Returns the descriptor, or -1 with err. */
static int observe_socket(int family, int proto, const struct sock_filter *filter, size_t len,
                          char *err, size_t errlen)
{
    struct sock_fprog prog = { .len = (unsigned short)len, .filter = (struct sock_filter *)filter };
    int one = 1, rc = -1;
    int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return util_err(err, errlen, "observe: raw socket: %s", strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
        util_err(err, errlen, "observe: attach filter: %s", strerror(errno));
    else if (family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) < 0)
        util_err(err, errlen, "observe: IPV6_RECVPKTINFO: %s", strerror(errno));
    else {
        rc = fd;
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

#define FILTER(f) f, sizeof f / sizeof f[0]

/* The IPv4 sockets are needed; the IPv6 ones only where the namespace has IPv6. */
static int observe_sockets(struct observer *ob, char *err, size_t errlen)
{
    char ignored[UTIL_ERRLEN];
    ob->fd[SOCK_V4_TCP] = observe_socket(AF_INET, IPPROTO_TCP, FILTER(observe_filter_v4), err, errlen);
    ob->fd[SOCK_V4_UDP] = observe_socket(AF_INET, IPPROTO_UDP, FILTER(observe_filter_v4), err, errlen);
    ob->fd[SOCK_V6_TCP] = observe_socket(AF_INET6, IPPROTO_TCP, FILTER(observe_filter_v6_tcp),
                                         ignored, sizeof ignored);
    ob->fd[SOCK_V6_UDP] = observe_socket(AF_INET6, IPPROTO_UDP, FILTER(observe_filter_v6_udp),
                                         ignored, sizeof ignored);
    return ob->fd[SOCK_V4_TCP] >= 0 && ob->fd[SOCK_V4_UDP] >= 0 ? 0 : -1;
}

struct observer *observe_open(const struct peer_set *ps, char *err, size_t errlen)
{
    struct observer *ob = xcalloc(1, sizeof *ob);
    int pfd[2] = { -1, -1 };
    ob->stop_rd = ob->stop_wr = -1;
    int rc = observe_sockets(ob, err, errlen);
    if (rc == 0 && pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
        rc = util_err(err, errlen, "observe: pipe: %s", strerror(errno));
    ob->stop_rd = pfd[0];
    ob->stop_wr = pfd[1];
    if (rc < 0) {
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
    for (int k = 0; k < OBSERVE_SOCKS; k++)
        observe_read(ob, k, OBSERVE_DRAIN);
    *out = ob->rep;
}

void observe_free(struct observer *ob)
{
    if (!ob)
        return;
    observe_join(ob);
    for (int k = 0; k < OBSERVE_SOCKS; k++)
        if (ob->fd[k] >= 0)
            close(ob->fd[k]);
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
