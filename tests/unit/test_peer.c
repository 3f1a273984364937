/* Tests of the peers, each in a private network namespace where the test plays the student's
 * client against the grader's echo, daytime and squatting peers. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer/netstate.h"
#include "peer/peer.h"
#include "sandbox/sandbox_int.h" /* sandbox_isolate_net */
#include "util/util.h"

#define LO 0x7f000001u

static int handle = -1;

static void isolate(void)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(sandbox_isolate_net(err, sizeof err), 0, "%s", err);
    handle = netstate_open();
    cr_assert_geq(handle, 0);
}

static struct peer_config echo_cfg(const char *name, enum peer_type type, uint16_t port)
{
    return (struct peer_config){.name = name, .type = type, .addr = LO, .port = port,
                                .reply = REPLY_ECHO, .pieces = 1, .netstate = handle};
}

static struct peer_set *serve(const struct peer_config *cfg, size_t n)
{
    char err[UTIL_ERRLEN];
    struct peer_set *ps = peer_set_bind(cfg, n, err, sizeof err);
    cr_assert_not_null(ps, "%s", err);
    cr_assert_eq(peer_set_serve(ps, err, sizeof err), 0, "%s", err);
    return ps;
}

static struct sockaddr_in lo_addr(uint32_t addr, uint16_t port)
{
    return (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(addr)};
}

static int client(int type, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = lo_addr(LO, port);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror(errno));
    return fd;
}

static uint16_t local_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t l = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &l);
    return ntohs(sa.sin_port);
}

/* One read, after waiting (bounded) for something to arrive. */
static ssize_t read_once(int fd, char *buf, size_t cap)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 3000), 1, "nothing arrived");
    return recv(fd, buf, cap, 0);
}

static void read_exactly(int fd, char *buf, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t n = read_once(fd, buf + got, want - got);
        cr_assert_gt(n, 0, "the peer closed after %zu of %zu bytes", got, want);
        got += (size_t)n;
    }
}

static bool quiet(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 0;
}

static bool consumed(int h, void *arg)
{
    return netstate_peer_consumed(h, *(int *)arg);
}

struct rxq {
    uint16_t port;      /* the client's local port */
    uint32_t min;       /* true when rx_queue >= min */
};

static bool rx_at_least(int h, void *arg)
{
    const struct rxq *q = arg;
    struct netstate_sock s[4];
    int n = netstate_list(h, "tcp", q->port, s, 4);
    return n > 0 && s[0].rx_queue >= q->min;
}

Test(peer, tcp_echo_records_exact_bytes, .timeout = 10)
{
    isolate();
    struct peer_config cfg = echo_cfg("echo", PEER_TCP_ECHO, 7);
    struct peer_set *ps = serve(&cfg, 1);
    int fd = client(SOCK_STREAM, 7);
    char buf[16];
    cr_assert_eq(write(fd, "hello\n", 6), 6);
    read_exactly(fd, buf, 6);
    cr_assert_arr_eq(buf, "hello\n", 6);
    cr_assert_eq(write(fd, "a\0b\n", 4), 4);
    read_exactly(fd, buf, 4);
    cr_assert_arr_eq(buf, "a\0b\n", 4);
    uint16_t port = local_port(fd);
    close(fd);
    peer_set_stop(ps);
    const struct peer_obs *o = peer_set_obs(ps, "echo");
    cr_assert_not_null(o);
    cr_assert_eq(o->port, 7);
    cr_assert_eq(o->nconns, 1);
    cr_assert_eq(o->conns[0].src_addr, LO);
    cr_assert_eq(o->conns[0].src_port, port);
    cr_assert_eq(o->conns[0].received.len, 10);
    cr_assert_arr_eq(o->conns[0].received.data, "hello\na\0b\n", 10);
    cr_assert_eq(o->conns[0].sent.len, 10);
    cr_assert_arr_eq(o->conns[0].sent.data, "hello\na\0b\n", 10);
    cr_assert_eq(peer_set_count(ps), 1);
    cr_assert_eq(peer_set_obs_at(ps, 0), o);
    cr_assert_null(peer_set_obs(ps, "nope"));
    peer_set_free(ps);
}

Test(peer, reverse_reply_differs_and_keeps_length, .timeout = 10)
{
    isolate();
    struct peer_config cfg = echo_cfg("echo", PEER_TCP_ECHO, 7);
    cfg.reply = REPLY_REVERSE;
    struct peer_set *ps = serve(&cfg, 1);
    int fd = client(SOCK_STREAM, 7);
    char buf[16];
    cr_assert_eq(write(fd, "hello\n", 6), 6);
    read_exactly(fd, buf, 6);
    cr_assert_arr_eq(buf, "olleh\n", 6);
    /* A line in two segments is still reversed as one line. */
    cr_assert_eq(write(fd, "ab", 2), 2);
    cr_assert_eq(netstate_wait(handle, consumed, &fd, -1, util_now_ms() + 3000), WAIT_READY);
    cr_assert_eq(write(fd, "cd\n", 3), 3);
    read_exactly(fd, buf, 5);
    cr_assert_arr_eq(buf, "dcba\n", 5);
    /* A client that sends no newline and waits still gets an answer. */
    cr_assert_eq(write(fd, "xyz", 3), 3);
    read_exactly(fd, buf, 3);
    cr_assert_arr_eq(buf, "zyx", 3);
    close(fd);
    peer_set_stop(ps);
    const struct peer_obs *o = peer_set_obs(ps, "echo");
    cr_assert_str_eq(o->conns[0].received.data, "hello\nabcd\nxyz");
    cr_assert_str_eq(o->conns[0].sent.data, "olleh\ndcba\nzyx");
    peer_set_free(ps);
}

static void check_pieces(void)
{
    struct peer_config cfg = echo_cfg("echo", PEER_TCP_ECHO, 7);
    cfg.pieces = 3;
    struct peer_set *ps = serve(&cfg, 1);
    char buf[64];
    /* A client that reads once gets the first piece only. */
    int a = client(SOCK_STREAM, 7);
    cr_assert_eq(write(a, "abcdefghi\n", 10), 10);
    ssize_t n = read_once(a, buf, sizeof buf);
    cr_assert_eq(n, 3, "one read got %zd bytes, not the first piece", n);
    cr_assert_arr_eq(buf, "abc", 3);
    read_exactly(a, buf + 3, 7);
    cr_assert_arr_eq(buf, "abcdefghi\n", 10);
    /* While a client does not read, the next piece is held back. */
    int b = client(SOCK_STREAM, 7);
    cr_assert_eq(write(b, "abcdefghi\n", 10), 10);
    struct rxq first = {.port = local_port(b), .min = 3};
    cr_assert_eq(netstate_wait(handle, rx_at_least, &first, -1, util_now_ms() + 3000), WAIT_READY);
    struct rxq more = {.port = local_port(b), .min = 4};
    cr_assert_eq(netstate_wait(handle, rx_at_least, &more, -1, util_now_ms() + 150),
                 WAIT_DEADLINE, "the second piece was sent before the first was read");
    read_exactly(b, buf, 10);
    cr_assert_arr_eq(buf, "abcdefghi\n", 10);
    close(a);
    close(b);
    peer_set_free(ps);
}

Test(peer, pieces_wait_until_consumed, .timeout = 10)
{
    isolate();
    check_pieces();
}

Test(peer, pieces_wait_until_consumed_without_sock_diag, .timeout = 10)
{
    isolate();
    netstate_use_diag(false);
    check_pieces();
}

Test(peer, udp_echo_with_stranger, .timeout = 10)
{
    isolate();
    struct peer_config cfg = echo_cfg("uecho", PEER_UDP_ECHO, 7);
    cfg.stranger = "STRANGER";
    cfg.stranger_len = 8;
    struct peer_set *ps = serve(&cfg, 1);
    /* Unconnected: the stranger's datagram from 127.0.0.2 comes first, then the echo. */
    int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = lo_addr(LO, 7), from;
    socklen_t fl = sizeof from;
    cr_assert_eq(sendto(u, "hi", 2, 0, (struct sockaddr *)&to, sizeof to), 2);
    char buf[64];
    cr_assert(!quiet(u, 3000));
    cr_assert_eq(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 8);
    cr_assert_arr_eq(buf, "STRANGER", 8);
    cr_assert_eq(ntohl(from.sin_addr.s_addr), 0x7f000002u);
    cr_assert(!quiet(u, 3000));
    cr_assert_eq(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 2);
    cr_assert_arr_eq(buf, "hi", 2);
    cr_assert_eq(ntohs(from.sin_port), 7);
    /* Connected: the kernel filters the stranger out; empty datagrams are echoed too. */
    int c = client(SOCK_DGRAM, 7);
    cr_assert_eq(send(c, "yo", 2, 0), 2);
    cr_assert_eq(read_once(c, buf, sizeof buf), 2);
    cr_assert_arr_eq(buf, "yo", 2);
    cr_assert_eq(send(c, "", 0, 0), 0);
    cr_assert_eq(read_once(c, buf, sizeof buf), 0);
    cr_assert(quiet(c, 100), "a connected client saw another datagram");
    peer_set_stop(ps);
    const struct peer_obs *o = peer_set_obs(ps, "uecho");
    cr_assert_eq(o->nconns, 2);
    cr_assert_eq(o->conns[0].ndgrams, 1);
    cr_assert_str_eq(o->conns[0].received.data, "hi");
    cr_assert_eq(o->conns[1].src_port, local_port(c));
    cr_assert_eq(o->conns[1].ndgrams, 2);
    cr_assert_eq(o->conns[1].dgram_lens[0], 2);
    cr_assert_eq(o->conns[1].dgram_lens[1], 0);
    cr_assert_str_eq(o->conns[1].sent.data, "yo");
    close(u);
    close(c);
    peer_set_free(ps);
}

Test(peer, swapped_port_watchers_count_hits, .timeout = 10)
{
    isolate();
    struct peer_config cfg[2] = {echo_cfg("echo", PEER_TCP_ECHO, 7),
                                 echo_cfg("uecho", PEER_UDP_ECHO, 7)};
    cfg[0].watch_swapped = cfg[1].watch_swapped = true;
    struct peer_set *ps = serve(cfg, 2);
    int t = client(SOCK_STREAM, 1792);
    char b;
    cr_assert(!quiet(t, 3000));
    cr_assert_eq(read(t, &b, 1), 0, "the watcher accepts and closes");
    int u = client(SOCK_DGRAM, 1792);
    cr_assert_eq(send(u, "x", 1, 0), 1);
    int ok = client(SOCK_STREAM, 7);
    peer_set_stop(ps);
    const struct peer_obs *o = peer_set_obs(ps, "echo");
    cr_assert_eq(o->swapped_port, 1792);
    cr_assert_eq(o->swapped_hits, 1);
    cr_assert_eq(o->nconns, 1, "the connection to 7 is an ordinary one");
    o = peer_set_obs(ps, "uecho");
    cr_assert_eq(o->swapped_port, 1792);
    cr_assert_eq(o->swapped_hits, 1);
    cr_assert_eq(o->nconns, 0);
    close(t);
    close(u);
    close(ok);
    peer_set_free(ps);
}

Test(peer, tcp_send_text_in_pieces_then_close, .timeout = 10)
{
    isolate();
    const char *text = "Tue Mar  4 10:00:00 2025\r\n";
    struct peer_config cfg = echo_cfg("daytime", PEER_TCP_SEND, 13);
    cfg.text = text;
    cfg.text_len = strlen(text);
    cfg.pieces = 2;
    struct peer_set *ps = serve(&cfg, 1);
    int fd = client(SOCK_STREAM, 13);
    struct strbuf got;
    strbuf_init(&got);
    char buf[64];
    ssize_t n;
    while ((n = read_once(fd, buf, sizeof buf)) > 0)
        strbuf_add(&got, buf, (size_t)n);
    cr_assert_eq(n, 0, "the text ends with the connection");
    cr_assert_eq(got.len, strlen(text));
    cr_assert_arr_eq(got.data, text, got.len);
    close(fd);
    peer_set_stop(ps);
    const struct peer_obs *o = peer_set_obs(ps, "daytime");
    cr_assert_eq(o->nconns, 1);
    cr_assert_str_eq(o->conns[0].sent.data, text);
    strbuf_release(&got);
    peer_set_free(ps);
}

static int try_bind(int type, uint32_t addr, uint16_t port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = lo_addr(addr, port);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa), e = errno;
    close(fd);
    return rc == 0 ? 0 : e;
}

Test(peer, squatters_make_bind_fail, .timeout = 10)
{
    isolate();
    struct peer_config cfg[2] = {echo_cfg("tbusy", PEER_TCP_SQUAT, 7),
                                 echo_cfg("ubusy", PEER_UDP_SQUAT, 7)};
    struct peer_set *ps = serve(cfg, 2);
    /* Even a program that sets SO_REUSEADDR cannot take the port. */
    cr_assert_eq(try_bind(SOCK_STREAM, LO, 7), EADDRINUSE);
    cr_assert_eq(try_bind(SOCK_STREAM, INADDR_ANY, 7), EADDRINUSE);
    cr_assert_eq(try_bind(SOCK_DGRAM, LO, 7), EADDRINUSE);
    cr_assert_eq(try_bind(SOCK_STREAM, LO, 8), 0);
    peer_set_free(ps);
    cr_assert_eq(try_bind(SOCK_STREAM, LO, 7), 0, "stopping frees the port");
}

Test(peer, bind_failure_names_the_peer, .timeout = 10)
{
    isolate();
    struct peer_config cfg[2] = {echo_cfg("first", PEER_TCP_ECHO, 7),
                                 echo_cfg("second", PEER_TCP_SQUAT, 7)};
    char err[UTIL_ERRLEN] = "";
    cr_assert_null(peer_set_bind(cfg, 2, err, sizeof err));
    cr_assert(strstr(err, "peer second: bind 127.0.0.1:7/tcp") != NULL, "%s", err);
    cr_assert_eq(try_bind(SOCK_STREAM, LO, 7), 0, "a failed bind leaves nothing open");
}

Test(peer, reply_none_only_records, .timeout = 10)
{
    isolate();
    struct peer_config cfg = echo_cfg("sink", PEER_TCP_ECHO, 7);
    cfg.reply = REPLY_NONE;
    struct peer_set *ps = serve(&cfg, 1);
    int fd = client(SOCK_STREAM, 7);
    cr_assert_eq(write(fd, "hi\n", 3), 3);
    cr_assert(quiet(fd, 100));
    close(fd);
    peer_set_stop(ps); /* what arrived before the stop is still recorded */
    const struct peer_obs *o = peer_set_obs(ps, "sink");
    cr_assert_eq(o->nconns, 1);
    cr_assert_str_eq(o->conns[0].received.data, "hi\n");
    cr_assert_eq(o->conns[0].sent.len, 0);
    peer_set_free(ps);
}
