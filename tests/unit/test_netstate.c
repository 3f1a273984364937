/* Tests of netstate: the socket table as the kernel shows it, in a private network namespace
 * (so ports 7 and 13 are ours and nothing else is listening). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer/netstate.h"
#include "sandbox/sandbox_int.h" /* sandbox_isolate_net */
#include "util/util.h"

static void isolate(void)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(sandbox_isolate_net(err, sizeof err), 0, "%s", err);
}

static int bound_socket(int type, uint32_t addr, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(addr)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
    if (type == SOCK_STREAM)
        cr_assert_eq(listen(fd, 4), 0);
    return fd;
}

static int connect_to(int type, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror(errno));
    return fd;
}

static uint16_t local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&ss, &l), 0);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static bool never(int handle, void *arg)
{
    (void)handle;
    (void)arg;
    return false;
}

static bool always(int handle, void *arg)
{
    (void)handle;
    (void)arg;
    return true;
}

static bool consumed(int handle, void *arg)
{
    return netstate_peer_consumed(handle, *(int *)arg);
}

struct queued {
    uint16_t port;
    uint32_t bytes;
};

/* Does the socket on port (not the listener) hold exactly `bytes` unread? */
static bool has_queued(int handle, void *arg)
{
    const struct queued *q = arg;
    struct netstate_sock s[8];
    int n = netstate_list(handle, "tcp", q->port, s, 8);
    for (int i = 0; i < n; i++)
        if (s[i].state != 10 && s[i].rx_queue == q->bytes)
            return true;
    return false;
}

Test(netstate, listener_address_in_host_order, .timeout = 10)
{
    isolate();
    int h = netstate_open();
    cr_assert_geq(h, 0);
    /* 127.0.0.2 is not a byte palindrome: a wrong byte order reads 2.0.0.127. */
    int fd = bound_socket(SOCK_STREAM, 0x7f000002, 7);
    struct netstate_sock s[4];
    int n = netstate_list(h, "tcp", 7, s, 4);
    cr_assert_eq(n, 1);
    cr_assert_eq(s[0].local_addr, 0x7f000002u);
    cr_assert_eq(s[0].local_port, 7);
    cr_assert_eq(s[0].state, 10);
    cr_assert_eq(s[0].v6, false);
    cr_assert(netstate_bound(h, "tcp", 7));
    cr_assert_not(netstate_bound(h, "tcp", 8));
    cr_assert_not(netstate_bound(h, "udp", 7));
    cr_assert_eq(netstate_list(h, "sctp", 7, s, 4), -1);
    close(fd);
    cr_assert_not(netstate_bound(h, "tcp", 7));
    netstate_close(h);
}

static void check_consumption(void)
{
    int h = netstate_open();
    int lfd = bound_socket(SOCK_STREAM, INADDR_LOOPBACK, 7);
    int cfd = connect_to(SOCK_STREAM, 7);
    int sfd = accept(lfd, NULL, NULL);
    cr_assert_geq(sfd, 0);
    cr_assert(netstate_bound(h, "tcp", 7));
    cr_assert_not(netstate_bound(h, "tcp", 9));
    cr_assert_eq(write(cfd, "hello", 5), 5);
    struct queued q = {.port = 7, .bytes = 5};
    cr_assert_eq(netstate_wait(h, has_queued, &q, -1, util_now_ms() + 2000), WAIT_READY);
    struct netstate_sock s[4];
    int n = netstate_list(h, "tcp", local_port(cfd), s, 4);
    cr_assert_eq(n, 1);
    cr_assert_eq(s[0].remote_port, 7);
    cr_assert_eq(s[0].remote_addr, 0x7f000001u);
    cr_assert_eq(s[0].state, 1);
    cr_assert_not(netstate_peer_consumed(h, cfd), "5 bytes are unread on the other end");
    char buf[8];
    cr_assert_eq(read(sfd, buf, sizeof buf), 5);
    cr_assert_eq(netstate_wait(h, consumed, &cfd, -1, util_now_ms() + 2000), WAIT_READY);
    close(sfd); /* the other end gone counts as consumed: the next write reports it */
    cr_assert_eq(netstate_wait(h, consumed, &cfd, -1, util_now_ms() + 2000), WAIT_READY);
    close(cfd);
    close(lfd);
    netstate_close(h);
}

Test(netstate, connection_queues_and_consumption, .timeout = 10)
{
    isolate();
    check_consumption();
}

Test(netstate, consumption_without_sock_diag, .timeout = 10)
{
    isolate();
    netstate_use_diag(false);
    check_consumption();
}

Test(netstate, udp_bound_and_connected, .timeout = 10)
{
    isolate();
    int h = netstate_open();
    int ufd = bound_socket(SOCK_DGRAM, INADDR_LOOPBACK, 7);
    int cfd = connect_to(SOCK_DGRAM, 7);
    cr_assert(netstate_bound(h, "udp", 7));
    cr_assert_not(netstate_bound(h, "tcp", 7));
    struct netstate_sock s[4];
    cr_assert_eq(netstate_list(h, "udp", 7, s, 4), 1);
    cr_assert_eq(s[0].state, 7);
    cr_assert_eq(netstate_list(h, "udp", local_port(cfd), s, 4), 1);
    cr_assert_eq(s[0].state, 1);
    cr_assert_eq(s[0].remote_port, 7);
    cr_assert_eq(send(cfd, "x", 1, 0), 1);
    cr_assert_eq(netstate_list(h, "udp", 7, s, 4), 1);
    cr_assert_gt(s[0].rx_queue, 0u, "a datagram waits on the bound socket");
    close(cfd);
    close(ufd);
    netstate_close(h);
}

Test(netstate, wait_ends_on_ready_wake_or_deadline, .timeout = 10)
{
    isolate();
    int h = netstate_open();
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(netstate_wait(h, always, NULL, p[0], util_now_ms() + 5000), WAIT_READY);
    int64_t t0 = util_now_ms();
    cr_assert_eq(netstate_wait(h, never, NULL, -1, t0 + 30), WAIT_DEADLINE);
    int64_t spent = util_now_ms() - t0;
    cr_assert(spent >= 30 && spent < 1000, "waited %lld ms", (long long)spent);
    cr_assert_eq(write(p[1], "x", 1), 1);
    t0 = util_now_ms();
    cr_assert_eq(netstate_wait(h, never, NULL, p[0], t0 + 5000), WAIT_WOKEN);
    cr_assert_lt(util_now_ms() - t0, 1000);
    close(p[0]);
    close(p[1]);
    netstate_close(h);
}

static void check_dual_stack(void)
{
    int h = netstate_open();
    int lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        cr_skip_test("no IPv6 here");
    int off = 0;
    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(7),
                              .sin6_addr = IN6ADDR_ANY_INIT};
    cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(lfd, 4), 0);
    cr_assert(netstate_bound(h, "tcp", 7));
    int cfd = connect_to(SOCK_STREAM, 7);
    int sfd = accept(lfd, NULL, NULL);
    struct netstate_sock s[4];
    int n = netstate_list(h, "tcp", 7, s, 4);
    cr_assert_eq(n, 2);
    const struct netstate_sock *acc = s[0].state == 10 ? &s[1] : &s[0];
    cr_assert(acc->v6);
    cr_assert_eq(acc->local_addr, 0x7f000001u, "v4-mapped address read as IPv4");
    cr_assert_eq(acc->remote_port, local_port(cfd));
    cr_assert_eq(write(cfd, "abc", 3), 3);
    struct queued q = {.port = 7, .bytes = 3};
    cr_assert_eq(netstate_wait(h, has_queued, &q, -1, util_now_ms() + 2000), WAIT_READY);
    cr_assert_not(netstate_peer_consumed(h, cfd));
    char buf[4];
    cr_assert_eq(read(sfd, buf, sizeof buf), 3);
    cr_assert_eq(netstate_wait(h, consumed, &cfd, -1, util_now_ms() + 2000), WAIT_READY);
    close(cfd);
    close(sfd);
    close(lfd);
    netstate_close(h);
}

Test(netstate, dual_stack_program_is_seen, .timeout = 10)
{
    isolate();
    check_dual_stack();
}

Test(netstate, dual_stack_without_sock_diag, .timeout = 10)
{
    isolate();
    netstate_use_diag(false);
    check_dual_stack();
}
