/* netstate: reads this network namespace's socket tables (/proc/self/net/{tcp,udp} and their
 * IPv6 twins) so the grader can see what another process did with its sockets: listening,
 * bound, or holding unread bytes. The kernel prints each address as "%08X" of a __be32, so
 * the hex number read back is the address's in-memory bytes: ntohl() turns it to host order
 * on any byte order.
 *
 * Reading /proc/net/tcp walks the kernel's established hash, which every namespace shares:
 * milliseconds per read on a large host. The two questions asked in loops (is a port
 * listening? has the other end read its bytes?) therefore go to sock_diag when the kernel
 * offers it: one socket looked up by its four-tuple, or the listeners only. */
#include "netstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define NETSTATE_TABLE_CAP (16u << 20) /* a namespace with more sockets is not ours */
#define NETSTATE_LISTEN 10

/* A filter and a place for what a scan found. The filter is applied before max counts, so a
 * crowd of TIME_WAIT entries on a port cannot hide the one socket asked for. */
struct netstate_scan {
    uint16_t port;               /* local port, 0 = any */
    bool (*match)(const struct netstate_sock *s, const void *key); /* NULL: all */
    const void *key;
    struct netstate_sock *out;
    size_t max;
    size_t n;
};

int netstate_open(void)
{
    return open("/proc/self/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void netstate_close(int handle)
{
    if (handle >= 0)
        close(handle);
}

/* One 32-hex-digit IPv6 address as the kernel prints it: four __be32 words. Only :: and
 * ::ffff:a.b.c.d have an IPv4 meaning; anything else reads as 0. */
static uint32_t netstate_v6_addr(const char *hex)
{
    uint32_t w[4];
    for (int i = 0; i < 4; i++) {
        char word[9];
        memcpy(word, hex + 8 * i, 8);
        word[8] = '\0';
        w[i] = ntohl((uint32_t)strtoul(word, NULL, 16));
    }
    if (w[0] == 0 && w[1] == 0 && w[2] == 0xffff)
        return w[3];
    return 0;
}

static bool netstate_parse_line(const char *line, bool v6, struct netstate_sock *s)
{
    unsigned lp, rp, st, tx, rx;
    memset(s, 0, sizeof *s);
    if (v6) {
        char la[33], ra[33];
        if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%4x %32[0-9A-Fa-f]:%4x %2x %8x:%8x",
                   la, &lp, ra, &rp, &st, &tx, &rx) != 7 || strlen(la) != 32 || strlen(ra) != 32)
            return false;
        s->local_addr = netstate_v6_addr(la);
        s->remote_addr = netstate_v6_addr(ra);
        s->v6 = true;
    } else {
        unsigned la, ra;
        if (sscanf(line, " %*u: %8x:%4x %8x:%4x %2x %8x:%8x", &la, &lp, &ra, &rp, &st, &tx, &rx) != 7)
            return false;
        s->local_addr = ntohl((uint32_t)la);
        s->remote_addr = ntohl((uint32_t)ra);
    }
    s->local_port = (uint16_t)lp;
    s->remote_port = (uint16_t)rp;
    s->state = (int)st;
    s->tx_queue = tx;
    s->rx_queue = rx;
    return true;
}

/* Reads one table file; a missing IPv6 table (IPv6 disabled) is an empty one. */
static int netstate_scan_file(int handle, const char *file, bool v6, struct netstate_scan *sc)
{
    struct strbuf sb;
    strbuf_init(&sb);
    int rc = -1;
    int fd = openat(handle, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = (v6 && errno == ENOENT) ? 0 : -1;
        goto out;
    }
    if (util_read_all(fd, &sb, NETSTATE_TABLE_CAP) < 0)
        goto out;
    char *line = strchr(sb.data, '\n'); /* the first line is the column header */
    while (line && sc->n < sc->max) {
        line++;
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        struct netstate_sock s;
        if (netstate_parse_line(line, v6, &s) && (sc->port == 0 || s.local_port == sc->port) &&
            (!sc->match || sc->match(&s, sc->key)))
            sc->out[sc->n++] = s;
        line = end;
    }
    rc = 0;
out:
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    strbuf_release(&sb);
    return rc;
}

static int netstate_scan(int handle, const char *proto, struct netstate_scan *sc)
{
    bool tcp = strcmp(proto, "tcp") == 0;
    if (handle < 0 || (!tcp && strcmp(proto, "udp") != 0)) {
        errno = EINVAL;
        return -1;
    }
    if (netstate_scan_file(handle, tcp ? "tcp" : "udp", false, sc) < 0 ||
        netstate_scan_file(handle, tcp ? "tcp6" : "udp6", true, sc) < 0)
        return -1;
    return (int)sc->n;
}

int netstate_list(int handle, const char *proto, uint16_t local_port,
                  struct netstate_sock *out, size_t max)
{
    struct netstate_scan sc = {.port = local_port, .out = out, .max = max};
    return netstate_scan(handle, proto, &sc);
}

/* sock_diag: a request and what came back. */
struct netstate_diag {
    struct nlmsghdr nh;
    struct inet_diag_req_v2 r;
};

typedef void netstate_diag_fn(const struct inet_diag_msg *m, void *arg);

enum { DIAG_UNTRIED, DIAG_WORKS, DIAG_MISSING };
static atomic_int netstate_diag_state = DIAG_UNTRIED; /* the kernel's, so process-wide */

/* Walks one buffer of answers. Returns 1 to read on, 0 when done, -ENOENT / -1 on error. */
static int netstate_diag_parse(const char *buf, size_t n, netstate_diag_fn *each, void *arg)
{
    size_t off = 0;
    while (n - off >= sizeof(struct nlmsghdr)) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
        if (h->nlmsg_len < sizeof *h || h->nlmsg_len > n - off)
            return -1;
        if (h->nlmsg_type == NLMSG_DONE)
            return 0;
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = NLMSG_DATA(h);
            return e->error == -ENOENT ? -ENOENT : -1;
        }
        if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
            h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
            each(NLMSG_DATA(h), arg);
        off += NLMSG_ALIGN(h->nlmsg_len);
    }
    return 1;
}

/* Asks in the calling thread's namespace (the runner never leaves the one netstate_open was
 * called in). Returns 0, -ENOENT (no such socket, or no diag in this kernel), or -1. */
static int netstate_diag_ask(const struct inet_diag_req_v2 *r, bool dump, netstate_diag_fn *each,
                             void *arg)
{
    int rc = -1;
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -1;
    struct netstate_diag q = {
        .nh = {.nlmsg_len = sizeof q, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
               .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0))},
        .r = *r};
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &q, sizeof q, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        goto out;
    for (;;) {
        long buf[2048]; /* aligned for the headers */
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto out;
        rc = netstate_diag_parse((const char *)buf, (size_t)n, each, arg);
        if (rc <= 0 || !dump) /* a lookup is answered by a single message */
            break;
    }
    rc = rc > 0 ? 0 : rc;
out:
    close(fd);
    return rc;
}

static void netstate_diag_none(const struct inet_diag_msg *m, void *arg)
{
    (void)m;
    (void)arg;
}

/* Does this kernel answer sock_diag for TCP here? Tried once: "no such socket" and "no such
 * handler" are the same error, so a later ENOENT is only trusted once a dump has worked. */
static bool netstate_diag_works(void)
{
    int st = atomic_load(&netstate_diag_state);
    if (st == DIAG_UNTRIED) {
        struct inet_diag_req_v2 r = {.sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
                                     .idiag_states = 1u << NETSTATE_LISTEN};
        st = netstate_diag_ask(&r, true, netstate_diag_none, NULL) == 0 ? DIAG_WORKS : DIAG_MISSING;
        atomic_store(&netstate_diag_state, st);
    }
    return st == DIAG_WORKS;
}

void netstate_use_diag(bool on)
{
    atomic_store(&netstate_diag_state, on ? DIAG_UNTRIED : DIAG_MISSING);
}

static void netstate_diag_port(const struct inet_diag_msg *m, void *arg)
{
    uint16_t *port = arg;
    if (ntohs(m->id.idiag_sport) == *port)
        *port = 0; /* found */
}

/* Listeners only: the kernel then skips the established hash. -1: ask /proc instead. */
static int netstate_diag_listening(uint16_t port)
{
    static const int families[] = {AF_INET, AF_INET6};
    for (size_t i = 0; i < 2; i++) {
        struct inet_diag_req_v2 r = {.sdiag_family = (uint8_t)families[i],
                                     .sdiag_protocol = IPPROTO_TCP,
                                     .idiag_states = 1u << NETSTATE_LISTEN};
        uint16_t want = port;
        int rc = netstate_diag_ask(&r, true, netstate_diag_port, &want);
        if (rc == 0 && want == 0)
            return 1;
        if (rc != 0 && families[i] == AF_INET)
            return -1;
    }
    return 0;
}

static void netstate_diag_rq(const struct inet_diag_msg *m, void *arg)
{
    *(int64_t *)arg = m->idiag_rqueue;
}

/* The unread bytes of the socket local:lport <-> remote:rport (IPv4, host order), found by
 * lookup. Returns them, 0 when there is no such socket, or -1: ask /proc instead. */
static int64_t netstate_diag_unread(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport)
{
    struct inet_diag_req_v2 r = {.sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
                                 .idiag_states = ~0u};
    r.id.idiag_sport = htons(lport);
    r.id.idiag_dport = htons(rport);
    r.id.idiag_src[0] = htonl(local);
    r.id.idiag_dst[0] = htonl(remote);
    r.id.idiag_cookie[0] = r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    int64_t unread = -1;
    int rc = netstate_diag_ask(&r, false, netstate_diag_rq, &unread);
    if (rc == -ENOENT)
        return 0; /* gone: a later write reports it */
    return rc == 0 ? unread : -1;
}

static bool netstate_is_listener(const struct netstate_sock *s, const void *key)
{
    (void)key;
    return s->state == NETSTATE_LISTEN;
}

bool netstate_bound(int handle, const char *proto, uint16_t port)
{
    struct netstate_sock s;
    bool tcp = strcmp(proto, "tcp") == 0;
    int diag = tcp && handle >= 0 && netstate_diag_works() ? netstate_diag_listening(port) : -1;
    if (diag >= 0)
        return diag == 1;
    struct netstate_scan sc = {.port = port, .match = tcp ? netstate_is_listener : NULL,
                               .out = &s, .max = 1};
    return netstate_scan(handle, proto, &sc) > 0;
}

/* Port (host order) and IPv4 address (host order, 0 if not IPv4) of a socket name. */
static uint16_t netstate_name(const struct sockaddr_storage *ss, uint32_t *addr)
{
    *addr = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        *addr = ntohl(in->sin_addr.s_addr);
        return ntohs(in->sin_port);
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            uint32_t a;
            memcpy(&a, &in6->sin6_addr.s6_addr[12], 4);
            *addr = ntohl(a);
        }
        return ntohs(in6->sin6_port);
    }
    return 0;
}

/* The other end of a connection: its remote end is us. Addresses are compared only where
 * both sides are known IPv4 ones (an IPv6 table entry may carry 0). */
static bool netstate_is_other_end(const struct netstate_sock *s, const void *key)
{
    const struct netstate_sock *k = key;
    if (s->state == NETSTATE_LISTEN || s->remote_port != k->remote_port)
        return false;
    if (k->remote_addr && s->remote_addr && s->remote_addr != k->remote_addr)
        return false;
    return !(k->local_addr && s->local_addr && s->local_addr != k->local_addr);
}

bool netstate_peer_consumed(int handle, int fd)
{
    int unacked = 0;
    /* Unacknowledged bytes may still be on their way: the other end's queue would read 0. */
    if (ioctl(fd, SIOCOUTQ, &unacked) == 0 && unacked > 0)
        return false;
    if (handle < 0)
        return true;
    struct sockaddr_storage me, them;
    socklen_t ml = sizeof me, tl = sizeof them;
    if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0 ||
        getpeername(fd, (struct sockaddr *)&them, &tl) < 0)
        return true;
    struct netstate_sock key, s;
    memset(&key, 0, sizeof key);
    key.remote_port = netstate_name(&me, &key.remote_addr);
    key.local_port = netstate_name(&them, &key.local_addr);
    if (key.local_addr && key.remote_addr && netstate_diag_works()) {
        int64_t unread = netstate_diag_unread(key.local_addr, key.local_port, key.remote_addr,
                                              key.remote_port);
        if (unread >= 0)
            return unread == 0;
    }
    struct netstate_scan sc = {.port = key.local_port, .match = netstate_is_other_end,
                               .key = &key, .out = &s, .max = 1};
    if (netstate_scan(handle, "tcp", &sc) <= 0)
        return true;
    return s.rx_queue == 0;
}

enum netstate_wait netstate_wait(int handle, bool (*pred)(int handle, void *arg), void *arg,
                                 int wake_fd, int64_t deadline_ms)
{
    long backoff_us = NETSTATE_BACKOFF_MIN_US;
    for (;;) {
        if (pred(handle, arg))
            return WAIT_READY;
        int64_t left_ms = deadline_ms - util_now_ms();
        if (left_ms <= 0)
            return WAIT_DEADLINE;
        long us = left_ms * 1000 < backoff_us ? (long)left_ms * 1000 : backoff_us;
        struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
        struct pollfd p = {.fd = wake_fd, .events = POLLIN, .revents = 0};
        /* ppoll, not poll: the first rounds are shorter than a millisecond. */
        int r = ppoll(&p, wake_fd >= 0 ? 1 : 0, &ts, NULL);
        if (r > 0)
            return WAIT_WOKEN;
        backoff_us = netstate_backoff_next(backoff_us);
    }
}
