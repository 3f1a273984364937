/* Tests of the hints made from what the observer saw on loopback (check_hint.c, chosen by
 * check_judge): a run made up with its observations (where the program went instead of the
 * peer, which connections it still held open) is judged, and the exact words asserted. Each
 * hint is said only when what was seen supports it; otherwise the spec's hint stays. */
#include <criterion/criterion.h>
#include <arpa/inet.h>

#include "judging.h"

#define UDP_PEER "'peers': [{'name': 'echo', 'type': 'udp_echo', 'port': 7}], "
#define DAYTIME_PEER "'peers': [{'name': 'echo', 'type': 'tcp_send', 'port': 7, 'text': 'x'}], "
#define RECEIVED_BY(peer) peer "'kind': 'run', 'expect': [{'what': 'peer_received', " \
                               "'peer': 'echo', 'text': 'hello\\n'}]"
#define TCP_RECEIVED RECEIVED_BY(ECHO_PEER)
#define RECEIVES "the server on port 7 receives exactly \"hello\\n\""
#define ENDS_WITH(peer) peer "'kind': 'run', 'stdin': 'hello\\n', 'expect': [{'what': 'ends'}]"
#define ENDS_WITHIN "the program ends by itself within 1000 ms"
#define KILLED "still running after 1000 ms (killed)"

/* The observer saw count contacts (UDP: of bytes in all) to addr:port. */
static void went(bool udp, const char *addr, uint16_t port, size_t count, size_t bytes)
{
    struct observe_report *r = &J.run.seen.observed;
    r->on = true;
    struct observe_dest *d = &r->dests[r->ndests++];
    *d = (struct observe_dest){ .udp = udp, .port = port, .count = count, .bytes = bytes };
    d->v6 = strchr(addr, ':') != NULL;
    cr_assert_eq(inet_pton(d->v6 ? AF_INET6 : AF_INET, addr, d->addr), 1);
}

/* When the observer stopped, the program still held its connection to the peer open. */
static void held_open(void)
{
    J.run.seen.observed.on = true;
    J.run.seen.observed.held_known = true;
    J.run.seen.observed.held[J.run.seen.observed.nheld++] = 7;
}

Test(hint_elsewhere, another_port, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "connect fail: Connection refused\n");
    peer_saw(false, 0, "", 0, 0);
    went(false, "127.0.0.1", 8080, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 TCP connection attempt to "
               "127.0.0.1:8080",
               "your client tried to connect to 127.0.0.1:8080, where nothing listens; the echo "
               "server is on port 7");
}

Test(hint_elsewhere, a_datagram_to_another_port_than_given, .fini = judging_end)
{
    judging_start("'args': ['127.0.0.1', 7], " RECEIVED_BY(UDP_PEER));
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(true, 0, "", 0, 0);
    went(true, "127.0.0.1", 9877, 2, 12);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 2 UDP datagrams (12 bytes) to "
               "127.0.0.1:9877",
               "your client sent to 127.0.0.1:9877, where nothing listens; the echo server is on "
               "port 7, the port your program was given");
}

Test(hint_elsewhere, another_address_than_given, .fini = judging_end)
{
    judging_start("'args': ['127.0.0.1'], " TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    went(false, "127.0.1.1", 7, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 TCP connection attempt to "
               "127.0.1.1:7",
               "your client tried to connect to 127.0.1.1:7, where nothing listens; the echo "
               "server is at 127.0.0.1, the address your program was given");
}

Test(hint_elsewhere, both_differ_and_were_given, .fini = judging_end)
{
    judging_start("'args': ['127.0.0.1', '7'], " TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    went(false, "127.0.0.2", 8080, 3, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 3 TCP connection attempts to "
               "127.0.0.2:8080",
               "your client tried to connect to 127.0.0.2:8080, where nothing listens; "
               "the echo server is at 127.0.0.1, port 7, the address and port your program was "
               "given");
}

Test(hint_elsewhere, ipv6_loopback, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    went(false, "::1", 7, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 TCP connection attempt to [::1]:7",
               "your client tried to connect to [::1]:7, where nothing listens; the echo server "
               "is at 127.0.0.1");
}

Test(hint_elsewhere, several_places_are_listed_then_counted, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    for (uint16_t p = 8080; p < 8084; p++)
        went(false, "127.0.0.1", p, 1, 0);
    went(true, "127.0.0.1", 53, 1, 30);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 TCP connection attempt to "
               "127.0.0.1:8080, 1 TCP connection attempt to 127.0.0.1:8081, 1 TCP connection "
               "attempt to 127.0.0.1:8082 and 2 more",
               "your client tried to connect to 127.0.0.1:8080, 127.0.0.1:8081, 127.0.0.1:8082 "
               "and 1 more, where nothing listens; the echo server is on port 7");
}

Test(hint_elsewhere, datagrams_to_a_tcp_server, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "read fail: Connection refused\n");
    peer_saw(false, 0, "", 0, 0);
    went(true, "127.0.0.1", 7, 1, 6);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 UDP datagram (6 bytes) to "
               "127.0.0.1:7",
               "your client sent UDP datagrams to 127.0.0.1:7, where the echo server takes TCP "
               "connections: a TCP client's socket is socket(AF_INET, SOCK_STREAM, 0)");
}

Test(hint_elsewhere, a_connection_to_a_udp_server, .fini = judging_end)
{
    judging_start(RECEIVED_BY(UDP_PEER));
    ended(END_EXITED, 0, "", "");
    peer_saw(true, 0, "", 0, 0);
    went(false, "127.0.0.1", 7, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES,
               "nothing reached the server on port 7; instead 1 TCP connection attempt to "
               "127.0.0.1:7",
               "your client tried a TCP connection to 127.0.0.1:7, where the echo server takes "
               "UDP datagrams: a UDP client's socket is socket(AF_INET, SOCK_DGRAM, 0)");
}

Test(hint_elsewhere, speaks_for_an_observation_never_made, .fini = judging_end)
{
    judging_start(ECHO_PEER "'kind': 'run', 'expect': [{'what': 'values', 'type': 'int', "
                            "'values': ['{obs.echo.src_port}']}]");
    ended(END_EXITED, 0, "local port: 0\n", "");
    peer_saw(false, 0, "", 0, 0);
    went(false, "127.0.0.1", 8080, 1, 0);
    judge();
    verdict_is(STATUS_FAILED,
               "a value the grader's TCP peer on port 7 observes (the connection's source port)",
               "the peer on port 7 saw no connection, so there is nothing to compare with; "
               "instead 1 TCP connection attempt to 127.0.0.1:8080",
               "your client tried to connect to 127.0.0.1:8080, where nothing listens; the echo "
               "server is on port 7");
}

Test(hint_elsewhere, the_swapped_port_says_it_first, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 1);
    went(false, "127.0.0.1", 8080, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "nothing reached port 7; 1 contact(s) on port 1792",
               "nothing reached port 7, but port 1792 did: that is 7 with its two bytes swapped. "
               "Was htons() missed when filling sin_port?");
}

Test(hint_elsewhere, not_when_the_peer_was_reached, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 1, "hello\n\n", 7, 0);
    went(false, "127.0.0.1", 8080, 1, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "it received \"hello\\n\\n\"", CHECK_HINT);
}

Test(hint_elsewhere, not_without_the_observer, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    went(false, "127.0.0.1", 8080, 1, 0);
    J.run.seen.observed.on = false; /* --sandbox none: nothing is known */
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "nothing reached the server on port 7", CHECK_HINT);
}

#define WAITED "the echo server received nothing in 1 s: your client connected, then waited " \
               "without sending anything (still connected when it was stopped); send the line " \
               "typed before waiting for the reply"

Test(hint_silent, connected_and_waited, .fini = judging_end)
{
    judging_start(ENDS_WITH(ECHO_PEER));
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(false, 1, "", 0, 0);
    held_open();
    judge();
    verdict_is(STATUS_FAILED, ENDS_WITHIN, KILLED, WAITED);
}

Test(hint_silent, the_same_for_every_failure, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(false, 1, "", 0, 0);
    held_open();
    J.run.seen.timeout_ms = 2500;
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "it received \"\"",
               "the echo server received nothing in 2.5 s: your client connected, then waited "
               "without sending anything (still connected when it was stopped)");
}

Test(hint_silent, not_when_it_closed_its_side, .fini = judging_end)
{
    judging_start(ENDS_WITH(ECHO_PEER));
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(false, 1, "", 0, 0);
    held_open();
    J.run.seen.observed.nheld = 0;
    judge();
    verdict_is(STATUS_FAILED, ENDS_WITHIN, KILLED, CHECK_HINT);
}

Test(hint_silent, not_when_it_sent_something, .fini = judging_end)
{
    judging_start(ENDS_WITH(ECHO_PEER));
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(false, 1, "h", 1, 0);
    held_open();
    judge();
    verdict_is(STATUS_FAILED, ENDS_WITHIN, KILLED, CHECK_HINT);
}

Test(hint_silent, not_when_it_ended_by_itself, .fini = judging_end)
{
    judging_start(TCP_RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 1, "", 0, 0);
    held_open();
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "it received \"\"", CHECK_HINT);
}

Test(hint_silent, not_for_a_server_that_speaks_first, .fini = judging_end)
{
    judging_start(ENDS_WITH(DAYTIME_PEER));
    ended(END_TIMEOUT, 0, "", "");
    peer_saw(false, 1, "", 0, 0);
    held_open();
    judge();
    verdict_is(STATUS_FAILED, ENDS_WITHIN, KILLED, CHECK_HINT);
}

/* busy_port_reported's shape: the expectation's own hint presumes the message was printed. */
#define REPORTED "'kind': 'run', 'expect': [{'what': 'ends', 'hint': 'you reported it but went " \
                 "on running', 'hint_assumes_rest': true}, {'what': 'message'}]"

Test(expect_ends, its_own_hint_only_when_the_rest_holds, .fini = judging_end)
{
    judging_start(REPORTED);
    ended(END_TIMEOUT, 0, "", "bind fail: Address already in use\n");
    judge();
    cr_assert_str_eq(J.res.hint, "you reported it but went on running");
}

Test(expect_ends, a_silent_program_gets_the_checks_hint, .fini = judging_end)
{
    judging_start(REPORTED);
    ended(END_TIMEOUT, 0, "", "");
    judge();
    cr_assert_str_eq(J.res.hint, CHECK_HINT, "it reported nothing: never say it did");
    cr_assert_eq(J.res.status, STATUS_FAILED);
}
