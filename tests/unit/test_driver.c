/* Tests of the driver: the grader's clients against small servers the test runs in threads,
 * correct and with the students' typical bugs, in a private network namespace. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer/driver.h"
#include "peer/netstate.h"
#include "sandbox/sandbox_int.h" /* sandbox_isolate_net */
#include "util/util.h"

#define LO 0x7f000001u
#define PORT 7

enum srv_mode {
    SRV_ECHO,      /* echoes everything until the client closes, then the next client */
    SRV_ONE_READ,  /* the textbook server: one read, one write, close */
    SRV_FIVE,      /* echoes, but stops listening after five clients */
    SRV_SILENT,    /* reads and never answers */
    SRV_UDP,       /* every datagram back to its sender */
    SRV_UDP_FIRST, /* every datagram back to the first sender it saw */
};

struct srv {
    enum srv_mode mode;
    int fd;
    int stop[2];
    pthread_t th;
};

static int handle = -1;

static void isolate(void)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(sandbox_isolate_net(err, sizeof err), 0, "%s", err);
    handle = netstate_open();
    cr_assert_geq(handle, 0);
}

/* Waits for fd; false once the test stops the server. */
static bool srv_wait(struct srv *s, int fd)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->stop[0], .events = POLLIN}};
    return poll(p, 2, -1) > 0 && !p[1].revents;
}

static void srv_echo(struct srv *s, int c)
{
    char buf[8192];
    ssize_t n;
    while (srv_wait(s, c) && (n = recv(c, buf, sizeof buf, 0)) > 0) {
        if (s->mode == SRV_SILENT)
            continue;
        for (ssize_t off = 0, w; off < n; off += w)
            if ((w = send(c, buf + off, (size_t)(n - off), MSG_NOSIGNAL)) < 0)
                return;
        if (s->mode == SRV_ONE_READ)
            return;
    }
}

static void srv_udp(struct srv *s)
{
    char buf[65536];
    struct sockaddr_in first = {0}, from;
    while (srv_wait(s, s->fd)) {
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (first.sin_family == 0)
            first = from;
        struct sockaddr_in *to = s->mode == SRV_UDP_FIRST ? &first : &from;
        sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)to, sizeof *to);
    }
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    if (s->mode == SRV_UDP || s->mode == SRV_UDP_FIRST) {
        srv_udp(s);
        return NULL;
    }
    for (int served = 0; srv_wait(s, s->fd);) {
        int c = accept(s->fd, NULL, NULL);
        srv_echo(s, c);
        if (s->mode == SRV_FIVE && ++served == 5) {
            close(s->fd); /* before the client sees its end: the next one is refused */
            s->fd = -1;
            close(c);
            break;
        }
        close(c);
    }
    return NULL;
}

static struct srv *srv_start(enum srv_mode mode)
{
    static struct srv s;
    bool udp = mode == SRV_UDP || mode == SRV_UDP_FIRST;
    s.mode = mode;
    s.fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT),
                             .sin_addr.s_addr = htonl(LO)};
    cr_assert_eq(bind(s.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    if (!udp)
        cr_assert_eq(listen(s.fd, 8), 0);
    cr_assert_eq(pipe(s.stop), 0);
    cr_assert_eq(pthread_create(&s.th, NULL, srv_main, &s), 0);
    return &s;
}

static void srv_stop(struct srv *s)
{
    cr_assert_eq(write(s->stop[1], "x", 1), 1);
    pthread_join(s->th, NULL);
    if (s->fd >= 0)
        close(s->fd);
    close(s->stop[0]);
    close(s->stop[1]);
}

static struct payload text(const char *s)
{
    return (struct payload){.data = (char *)s, .len = strlen(s)};
}

static struct driver_config tcp_cfg(int count, const struct payload *sends, size_t n)
{
    return (struct driver_config){.type = CLIENT_TCP, .count = count, .sends = sends,
                                  .nsends = n, .pieces = 1, .close = CLOSE_NORMAL,
                                  .expect_echo = true};
}

static void drive(const struct driver_config *cfg, size_t n, int stop_fd, int64_t deadline,
                  int op_ms, struct driver_report *r)
{
    char err[UTIL_ERRLEN];
    cr_assert_eq(driver_run(cfg, n, LO, PORT, handle, stop_fd, deadline, op_ms, r, err,
                            sizeof err), 0, "%s", err);
}

Test(driver, correct_server_passes, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_ECHO);
    struct payload one[] = {text("hello\n")};
    struct payload lines[] = {text("line one\n"), text("line two\n"), text("line three\n")};
    struct payload split[] = {text("sent in three pieces\n")};
    struct driver_config cfg[] = {tcp_cfg(6, one, 1), tcp_cfg(1, lines, 3), tcp_cfg(1, split, 1)};
    cfg[2].pieces = 3;
    struct driver_report r;
    drive(cfg, 3, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 10);
    for (size_t i = 0; i < r.n; i++)
        cr_assert(r.ex[i].ok, "exchange %zu: %s", i, r.ex[i].problem);
    cr_assert_eq(r.ex[5].client, 5);
    cr_assert_eq(r.ex[8].client, 6);
    cr_assert_eq(r.ex[8].index, 2);
    cr_assert_str_eq(r.ex[8].got.data, "line three\n");
    cr_assert_eq(r.ex[9].client, 7);
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, one_read_server_fails_several_lines_and_pieces, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_ONE_READ);
    struct payload lines[] = {text("line one\n"), text("line two\n"), text("line three\n")};
    struct payload one[] = {text("abcdefgh\n")};
    struct driver_config cfg[] = {tcp_cfg(1, lines, 3), tcp_cfg(1, one, 1), tcp_cfg(1, one, 1)};
    cfg[2].pieces = 2;
    struct driver_report r;
    drive(cfg, 3, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 5);
    cr_assert(r.ex[0].ok, "%s", r.ex[0].problem);
    cr_assert_not(r.ex[1].ok);
    cr_assert(strstr(r.ex[1].problem, "closed the connection") != NULL, "%s", r.ex[1].problem);
    cr_assert_not(r.ex[2].ok);
    cr_assert_str_eq(r.ex[2].problem, "not sent: an earlier exchange on this connection failed");
    cr_assert(r.ex[3].ok, "one line in one piece: %s", r.ex[3].problem);
    cr_assert_not(r.ex[4].ok, "a line in two pieces needs more than one read");
    cr_assert_str_eq(r.ex[4].got.data, "abcd");
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, server_that_stops_after_five_refuses_the_sixth, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_FIVE);
    struct payload one[] = {text("hello\n")};
    struct driver_config cfg = tcp_cfg(6, one, 1);
    struct driver_report r;
    drive(&cfg, 1, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 6);
    for (size_t i = 0; i < 5; i++)
        cr_assert(r.ex[i].ok, "exchange %zu: %s", i, r.ex[i].problem);
    cr_assert_not(r.ex[5].ok);
    /* The sixth client connects as soon as the fifth has its echo, so it meets the server's
     * listening socket closed (refused) or closing (reset, while connecting or at once
     * after): each names the cause. */
    cr_assert(strstr(r.ex[5].problem, "connection refused") != NULL ||
              strstr(r.ex[5].problem, "reset") != NULL, "%s", r.ex[5].problem);
    cr_assert(strstr(r.ex[5].problem, "previous client") != NULL, "%s", r.ex[5].problem);
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, large_binary_payload_round_trip, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_ECHO);
    size_t len = 256 * 1024;
    char *data = xmalloc(len);
    uint32_t x = 12345; /* a fixed seed: the same bytes every run, NULs included */
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (char)(x >> 16);
    }
    struct payload big[] = {{.data = data, .len = len}};
    struct driver_config cfg[] = {tcp_cfg(1, big, 1), tcp_cfg(1, big, 1)};
    cfg[1].pieces = 4;
    struct driver_report r;
    drive(cfg, 2, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 2);
    for (size_t i = 0; i < r.n; i++) {
        cr_assert(r.ex[i].ok, "exchange %zu: %s", i, r.ex[i].problem);
        cr_assert_eq(r.ex[i].got.len, len);
    }
    driver_report_free(&r);
    free(data);
    srv_stop(s);
}

Test(driver, reset_client_then_next_is_served, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_ECHO);
    struct payload first[] = {text("abcdefgh\n")};
    struct payload next[] = {text("next\n")};
    struct driver_config cfg[] = {tcp_cfg(1, first, 1), tcp_cfg(1, next, 1)};
    cfg[0].close = CLOSE_RESET;
    struct driver_report r;
    drive(cfg, 2, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 2);
    cr_assert(r.ex[0].reset);
    cr_assert_str_eq(r.ex[0].problem, "");
    cr_assert(r.ex[1].ok, "%s", r.ex[1].problem);
    cr_assert_str_eq(r.ex[1].got.data, "next\n");
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, silent_server_times_out, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_SILENT);
    struct payload one[] = {text("hello\n")};
    struct driver_config cfg = tcp_cfg(1, one, 1);
    struct driver_report r;
    drive(&cfg, 1, -1, util_now_ms() + 8000, 200, &r);
    cr_assert_eq(r.n, 1);
    cr_assert_not(r.ex[0].ok);
    cr_assert_str_eq(r.ex[0].problem, "no reply within 200 ms");
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, ended_server_leaves_the_rest_not_run, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_ECHO);
    int ended[2];
    cr_assert_eq(pipe(ended), 0);
    cr_assert_eq(write(ended[1], "x", 1), 1);
    struct payload one[] = {text("hello\n")};
    struct driver_config cfg = tcp_cfg(3, one, 1);
    struct driver_report r;
    drive(&cfg, 1, ended[0], util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 3);
    cr_assert_str_eq(r.ex[2].problem, "not run: the server had already ended");
    cr_assert_not(r.ex[2].ok);
    driver_report_free(&r);
    /* The same within one connection: no more payloads after the server ended. */
    struct payload lines[] = {text("one\n"), text("two\n"), text("three\n")};
    struct driver_config several = tcp_cfg(1, lines, 3);
    drive(&several, 1, ended[0], util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 3);
    cr_assert_str_eq(r.ex[1].problem, "not run: the server had already ended");
    cr_assert_str_eq(r.ex[2].problem, "not run: the server had already ended");
    driver_report_free(&r);
    /* And past the deadline nothing is waited for. */
    drive(&cfg, 1, -1, util_now_ms() - 1, 2000, &r);
    for (size_t i = 0; i < r.n; i++) {
        cr_assert_not(r.ex[i].ok);
        cr_assert(strstr(r.ex[i].problem, "time limit") != NULL, "%s", r.ex[i].problem);
    }
    driver_report_free(&r);
    /* Refused by a program that has ended: the clients after it are not run. */
    srv_stop(s);
    drive(&cfg, 1, ended[0], util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 3);
    cr_assert_str_eq(r.ex[0].problem, "connection refused: the server was not listening");
    cr_assert_str_eq(r.ex[1].problem, "not run: the server had already ended");
    driver_report_free(&r);
    close(ended[0]);
    close(ended[1]);
}

static struct driver_config udp_cfg(int count, const struct payload *sends, size_t n)
{
    return (struct driver_config){.type = CLIENT_UDP, .count = count, .sends = sends,
                                  .nsends = n, .pieces = 1, .expect_echo = true};
}

Test(driver, udp_interleaved_clients_each_get_their_own, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_UDP);
    struct payload sends[] = {text("first\n"), text(""), {.data = "bin\0ary", .len = 7}};
    struct driver_config cfg = udp_cfg(3, sends, 3);
    struct driver_report r;
    drive(&cfg, 1, -1, util_now_ms() + 8000, 2000, &r);
    cr_assert_eq(r.n, 9);
    for (size_t i = 0; i < r.n; i++) {
        cr_assert(r.ex[i].ok, "exchange %zu: %s", i, r.ex[i].problem);
        cr_assert_eq(r.ex[i].type, CLIENT_UDP);
    }
    cr_assert_eq(r.ex[4].client, 1);
    cr_assert_eq(r.ex[4].index, 1);
    cr_assert_eq(r.ex[4].got.len, 0);
    cr_assert_eq(r.ex[8].got.len, 7);
    driver_report_free(&r);
    srv_stop(s);
}

Test(driver, udp_server_answering_one_address_fails, .timeout = 10)
{
    isolate();
    struct srv *s = srv_start(SRV_UDP_FIRST);
    struct payload sends[] = {text("ping\n")};
    struct driver_config cfg = udp_cfg(2, sends, 1);
    struct driver_report r;
    drive(&cfg, 1, -1, util_now_ms() + 8000, 200, &r);
    cr_assert_eq(r.n, 2);
    cr_assert_not(r.ex[0].ok);
    cr_assert(strstr(r.ex[0].problem, "did not send") != NULL, "%s", r.ex[0].problem);
    cr_assert_not(r.ex[1].ok);
    cr_assert_str_eq(r.ex[1].problem, "no reply within 200 ms");
    driver_report_free(&r);
    srv_stop(s);
}
