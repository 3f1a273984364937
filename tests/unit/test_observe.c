/* Tests of the observer (observe.c): packets made up byte by byte are read into observations
 * (what is kept, what is left out), and in a private network namespace real SYNs and
 * datagrams (IPv4 and IPv6) and a connection held open are seen while the grader's own peers
 * are not. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer/netstate.h"
#include "peer/observe.h"
#include "peer/peer_int.h" /* observe_take, struct observe_own */
#include "sandbox/sandbox_int.h" /* sandbox_isolate_net */
#include "util/util.h"

#define LO 0x7f000001u

/* The peer on 127.0.0.1:7 (TCP and UDP) is the grader's. */
static const struct observe_own own[] = {
    { .udp = false, .addr = LO, .port = 7 },
    { .udp = true, .addr = LO, .port = 7 },
};

enum { TCP = 6, UDP = 17 };

/* An IPv4 packet from 127.0.0.1:sport to dst:dport; TCP with these flags, or UDP with a
 * payload of n bytes (not included: the header says how long). */
static size_t v4(uint8_t *p, int proto, const char *dst, uint16_t sport, uint16_t dport,
                 int flags_or_len)
{
    memset(p, 0, 60);
    p[0] = 0x45;
    p[9] = (uint8_t)proto;
    uint32_t src = htonl(LO);
    memcpy(p + 12, &src, 4);
    cr_assert_eq(inet_pton(AF_INET, dst, p + 16), 1);
    uint8_t *l4 = p + 20;
    l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
    l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
    if (proto == TCP) {
        l4[12] = 0x50;
        l4[13] = (uint8_t)flags_or_len;
        return 40;
    }
    l4[4] = (uint8_t)((flags_or_len + 8) >> 8), l4[5] = (uint8_t)(flags_or_len + 8);
    return 28;
}

static size_t v6(uint8_t *p, int proto, const char *dst, uint16_t dport, int flags)
{
    memset(p, 0, 80);
    p[0] = 0x60;
    p[6] = (uint8_t)proto;
    p[23] = 1; /* ::1 */
    cr_assert_eq(inet_pton(AF_INET6, dst, p + 24), 1);
    uint8_t *l4 = p + 40;
    l4[0] = 0x9c, l4[1] = 0x40; /* 40000 */
    l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
    l4[12] = 0x50;
    l4[13] = (uint8_t)flags;
    return 60;
}

static void take(struct observe_report *r, const uint8_t *p, size_t len)
{
    observe_take(r, own, sizeof own / sizeof own[0], p, len);
}

static void dest_is(const struct observe_dest *d, const char *name, bool udp, size_t count,
                    size_t bytes)
{
    char buf[64];
    observe_dest_name(d, buf, sizeof buf);
    cr_assert_str_eq(buf, name);
    cr_assert_eq(d->udp, udp, "%s", name);
    cr_assert_eq(d->count, count, "%s: count %zu", name, d->count);
    cr_assert_eq(d->bytes, bytes, "%s: bytes %zu", name, d->bytes);
}

/* The destination of that name (each raw socket is read in turn, so the order of
 * destinations seen on different ones is not the order they were sent in). */
static const struct observe_dest *found(const struct observe_report *r, const char *name)
{
    for (size_t i = 0; i < r->ndests; i++) {
        char buf[64];
        observe_dest_name(&r->dests[i], buf, sizeof buf);
        if (strcmp(buf, name) == 0)
            return &r->dests[i];
    }
    cr_assert_fail("%s was not seen", name);
    return NULL;
}

Test(observe_take, a_syn_to_another_port_is_counted_per_destination)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 8080, 0x02));
    take(&r, p, v4(p, TCP, "127.0.0.1", 40001, 8080, 0x02));
    take(&r, p, v4(p, TCP, "127.0.0.2", 40002, 7, 0x02));
    cr_assert_eq(r.ndests, 2);
    dest_is(&r.dests[0], "127.0.0.1:8080", false, 2, 0);
    dest_is(&r.dests[1], "127.0.0.2:7", false, 1, 0);
}

Test(observe_take, answers_data_and_the_peers_own_contacts_are_left_out)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 8080, 0x12)); /* SYN-ACK */
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 8080, 0x14)); /* RST-ACK */
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 8080, 0x18)); /* data */
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 7, 0x02));    /* reached the peer */
    take(&r, p, v4(p, UDP, "127.0.0.1", 40000, 7, 5));       /* reached the UDP peer */
    take(&r, p, v4(p, UDP, "127.0.0.1", 7, 40000, 5));       /* the peer's reply */
    take(&r, p, v4(p, 1, "127.0.0.1", 0, 0, 0));             /* ICMP */
    cr_assert_eq(r.ndests, 0);
}

Test(observe_take, datagrams_count_their_bytes)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    take(&r, p, v4(p, UDP, "127.0.0.1", 40000, 9877, 25));
    take(&r, p, v4(p, UDP, "127.0.0.1", 40000, 9877, 0));
    take(&r, p, v4(p, UDP, "127.0.0.1", 40000, 8080, 3));
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 9877, 0x02)); /* TCP to the same port: apart */
    cr_assert_eq(r.ndests, 3);
    dest_is(&r.dests[0], "127.0.0.1:9877", true, 2, 25);
    dest_is(&r.dests[1], "127.0.0.1:8080", true, 1, 3);
    dest_is(&r.dests[2], "127.0.0.1:9877", false, 1, 0);
}

Test(observe_take, ipv6_is_never_a_peer)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    take(&r, p, v6(p, TCP, "::1", 7, 0x02));
    take(&r, p, v6(p, TCP, "::1", 7, 0x12));
    cr_assert_eq(r.ndests, 1);
    dest_is(&r.dests[0], "[::1]:7", false, 1, 0);
}

Test(observe_take, short_fragmented_and_odd_packets_are_left_out)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    size_t n = v4(p, TCP, "127.0.0.1", 40000, 8080, 0x02);
    take(&r, p, 20 + 13);                                    /* flags cut off */
    take(&r, p, 19);
    p[7] = 0x10;                                             /* a later fragment */
    take(&r, p, n);
    v4(p, UDP, "127.0.0.1", 40000, 8080, 4);
    p[0] = 0x44;                                             /* header shorter than 20 */
    take(&r, p, 28);
    p[0] = 0x55;                                             /* neither IPv4 nor IPv6 */
    take(&r, p, 28);
    cr_assert_eq(r.ndests, 0);
}

Test(observe_take, only_the_first_destinations_are_kept)
{
    struct observe_report r = { .on = true };
    uint8_t p[80];
    for (int i = 0; i < OBSERVE_DESTS + 3; i++)
        take(&r, p, v4(p, TCP, "127.0.0.1", 40000, (uint16_t)(1000 + i), 0x02));
    take(&r, p, v4(p, TCP, "127.0.0.1", 40000, 1000, 0x02));
    cr_assert_eq(r.ndests, OBSERVE_DESTS);
    cr_assert_eq(r.more, 3);
    cr_assert_eq(r.dests[0].count, 2);
}

/* Live: in a namespace of the test's own, as a check runs. */
static int handle = -1;

static void isolate(void)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(sandbox_isolate_net(err, sizeof err), 0, "%s", err);
    handle = netstate_open();
    cr_assert_geq(handle, 0);
}

static int dial(int type, uint16_t port, bool expect_ok)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(LO) };
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    cr_assert_eq(rc == 0, expect_ok, "connect to %u: %s", port, strerror(errno));
    return fd;
}

Test(observe, sees_what_went_past_the_peers, .init = isolate, .timeout = 10)
{
    char err[UTIL_ERRLEN];
    struct peer_config cfg[] = {
        { .name = "echo", .type = PEER_TCP_ECHO, .addr = LO, .port = 7, .pieces = 1,
          .watch_swapped = true, .netstate = handle },
        { .name = "uecho", .type = PEER_UDP_ECHO, .addr = LO, .port = 9, .pieces = 1,
          .stranger = "x", .stranger_len = 1, .netstate = handle },
    };
    struct peer_set *ps = peer_set_bind(cfg, 2, err, sizeof err);
    cr_assert_not_null(ps, "%s", err);
    struct observer *ob = observe_open(ps, err, sizeof err);
    cr_assert_not_null(ob, "%s", err);
    cr_assert_eq(peer_set_serve(ps, err, sizeof err), 0, "%s", err);
    cr_assert_eq(observe_serve(ob, err, sizeof err), 0, "%s", err);

    close(dial(SOCK_STREAM, 8080, false));              /* refused: nothing listens */
    close(dial(SOCK_STREAM, 1792, true));               /* the swapped watcher: not ours */
    int held = dial(SOCK_STREAM, 7, true);
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
                              .sin_addr.s_addr = htonl(LO) };
    cr_assert_eq(sendto(u, "line\n", 5, 0, (struct sockaddr *)&to, sizeof to), 5);
    char buf[16];                                       /* the peer's stranger, its reply */
    cr_assert_eq(recv(u, buf, sizeof buf, 0), 1);
    cr_assert_eq(recv(u, buf, sizeof buf, 0), 5);
    close(u);
    u = dial(SOCK_DGRAM, 9877, true);
    cr_assert_eq(send(u, "hello", 5, 0), 5);
    int u6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons(9878),
                                .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    cr_assert_eq(sendto(u6, "hi", 2, 0, (struct sockaddr *)&to6, sizeof to6), 2);
    close(u6);
    int t6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    to6.sin6_port = htons(7);                           /* the peer is IPv4 only */
    cr_assert_neq(connect(t6, (struct sockaddr *)&to6, sizeof to6), 0);
    close(t6);

    struct observe_report r;
    observe_stop(ob, handle, &r);
    cr_assert(r.on);
    cr_assert_eq(r.ndests, 4, "%zu destinations", r.ndests);
    dest_is(found(&r, "127.0.0.1:8080"), "127.0.0.1:8080", false, 1, 0);
    dest_is(found(&r, "127.0.0.1:9877"), "127.0.0.1:9877", true, 1, 5);
    dest_is(found(&r, "[::1]:9878"), "[::1]:9878", true, 1, 2);
    dest_is(found(&r, "[::1]:7"), "[::1]:7", false, 1, 0);
    cr_assert(r.held_known);
    cr_assert(observe_held(&r, 7), "the open connection to port 7 was not seen");
    observe_free(ob);
    close(u);
    close(held);
    peer_set_free(ps);
}

Test(observe, a_connection_closed_is_not_held, .init = isolate, .timeout = 10)
{
    char err[UTIL_ERRLEN];
    struct peer_config cfg = { .name = "echo", .type = PEER_TCP_ECHO, .addr = LO, .port = 7,
                               .pieces = 1, .netstate = handle };
    struct peer_set *ps = peer_set_bind(&cfg, 1, err, sizeof err);
    cr_assert_not_null(ps, "%s", err);
    struct observer *ob = observe_open(ps, err, sizeof err);
    cr_assert_not_null(ob, "%s", err);
    cr_assert_eq(peer_set_serve(ps, err, sizeof err), 0, "%s", err);
    cr_assert_eq(observe_serve(ob, err, sizeof err), 0, "%s", err);
    close(dial(SOCK_STREAM, 7, true));
    struct observe_report r;
    observe_stop(ob, handle, &r);
    cr_assert_eq(r.ndests, 0);
    cr_assert(r.held_known);
    cr_assert_not(observe_held(&r, 7));
    observe_free(ob);
    peer_set_free(ps);
}

Test(observe, stopped_without_an_observer_knows_nothing)
{
    struct observe_report r = { .on = true, .ndests = 3 };
    observe_stop(NULL, -1, &r);
    cr_assert_not(r.on);
    cr_assert_eq(r.ndests, 0);
    observe_free(NULL);
}
