/* Tests of the judges (check_expect.c) of a drive check's expectations, the server's side:
 * the grader's clients echoed, the server still running, connections closed, children reaped.
 * As in test_check_expect.c, a run is made up and judged; no program runs. JSON in this file
 * is written with ' for ". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judging.h"

#define ECHO_WANTED "every client of the grader gets back exactly what it sent"

/* The server listened on port 5000 and the one client's exchange got back got. */
static void drove(const char *got, bool ok, const char *problem)
{
    static const struct payload sent = { .data = (char *)"hi\n", .len = 3 };
    J.run.seen.port = 5000;
    J.run.seen.listened = true;
    J.run.seen.drove = true;
    J.ex[0] = (struct driver_exchange){ .type = CLIENT_TCP, .sent = sent, .ok = ok };
    strbuf_init(&J.ex[0].got);
    strbuf_addstr(&J.ex[0].got, got);
    snprintf(J.ex[0].problem, sizeof J.ex[0].problem, "%s", problem);
    J.run.seen.drive = (struct driver_report){ .ex = J.ex, .n = 1, .finished = 1 };
}

Test(expect_echoed, exactly, .fini = judging_end)
{
    judging_start(DRIVE("echoed"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    judge();
    verdict_is(STATUS_PASSED, ECHO_WANTED, "all 1 exchanges echoed exactly", NULL);
}

Test(expect_echoed, short_reply, .fini = judging_end)
{
    judging_start(DRIVE("echoed"));
    ended(END_STOPPED, 0, "", "");
    drove("h", false, "no reply within 800 ms");
    judge();
    verdict_is(STATUS_FAILED, ECHO_WANTED,
               "client 1, message 1: sent \"hi\\n\", got back \"h\"; no reply within 800 ms",
               CHECK_HINT);
}

/* The one client sent a binary payload of n bytes and got back got_len of them, with the
 * byte at `wrong` changed (got_len > wrong). */
static void drove_binary(size_t n, size_t got_len, size_t wrong)
{
    static char sent[4096], back[4096];
    for (size_t i = 0; i < n; i++)
        sent[i] = back[i] = (char)(i * 7 + 1);
    sent[5] = '\0';
    back[5] = '\0';
    if (wrong < got_len)
        back[wrong] ^= 0x55;
    J.run.seen.port = 5000;
    J.run.seen.listened = J.run.seen.drove = true;
    J.ex[0] = (struct driver_exchange){ .type = CLIENT_TCP, .sent = { .data = sent, .len = n } };
    strbuf_init(&J.ex[0].got);
    strbuf_add(&J.ex[0].got, back, got_len);
    J.run.seen.drive = (struct driver_report){ .ex = J.ex, .n = 1, .finished = 1 };
}

Test(expect_echoed, binary_payload_is_summarised, .fini = judging_end)
{
    judging_start(DRIVE("echoed"));
    ended(END_STOPPED, 0, "", "");
    drove_binary(4096, 4096, 1000);
    judge();
    verdict_is(STATUS_FAILED, ECHO_WANTED, "client 1, message 1: sent 4096 bytes of binary data, "
               "got back 4096; first difference at byte 1000", CHECK_HINT);
    result_check_free(&J.res);
    strbuf_release(&J.ex[0].got);
    drove_binary(4096, 27, 4096);
    judge();
    cr_assert_str_eq(J.res.actual, "client 1, message 1: sent 4096 bytes of binary data, got back "
                     "only its first 27");
}

Test(expect_echoed, listened_on_the_swapped_port, .fini = judging_end)
{
    judging_start(DRIVE("echoed"));
    ended(END_STOPPED, 0, "", "");
    J.run.seen.port = 5000;
    J.run.seen.listened_swapped = true;
    judge();
    /* 5000 is 0x1388; with its bytes swapped, 0x8813 = 34835 */
    verdict_is(STATUS_FAILED, ECHO_WANTED, "the server listened on port 34835, not on 5000",
               "that port is the one given with its two bytes swapped: was htons() missed when "
               "filling sin_port?");
}

Test(expect_echoed, never_listened, .fini = judging_end)
{
    judging_start(DRIVE("echoed"));
    ended(END_EXITED, 1, "", "bind: Address already in use\n");
    J.run.seen.port = 5000;
    judge();
    verdict_is(STATUS_FAILED, ECHO_WANTED, "it never listened on port 5000 (exit status 1)",
               CHECK_HINT);
}

#define RUNNING_WANTED "the server still runs, waiting for the next client"

Test(expect_running, stopped_by_the_grader, .fini = judging_end)
{
    judging_start(DRIVE("running"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    judge();
    verdict_is(STATUS_PASSED, RUNNING_WANTED, "still running (stopped by the grader)", NULL);
}

Test(expect_running, ended_after_one_client, .fini = judging_end)
{
    judging_start(DRIVE("running"));
    ended(END_EXITED, 0, "", "");
    drove("hi\n", true, "");
    judge();
    verdict_is(STATUS_FAILED, RUNNING_WANTED, "exit status 0", CHECK_HINT);
}

#define CLOSED_WANTED "the server close()s each accepted connection once its client is done, " \
                      "so no descriptor is left open"

Test(expect_closed_connections, all_closed, .fini = judging_end)
{
    judging_start(DRIVE("closed_connections"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    J.run.seen.drive.finished = 3;
    judge();
    verdict_is(STATUS_PASSED, CLOSED_WANTED, "all 3 connections were closed", NULL);
}

Test(expect_closed_connections, some_left_open, .fini = judging_end)
{
    judging_start(DRIVE("closed_connections"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    J.run.seen.drive.finished = 3;
    J.run.seen.drive.unclosed = 2;
    judge();
    verdict_is(STATUS_FAILED, CLOSED_WANTED,
               "2 of the 3 connections were never closed by the server after their client "
               "finished (it went on running: each one's descriptor stays open)", CHECK_HINT);
}

Test(expect_closed_connections, nothing_observed, .fini = judging_end)
{
    judging_start(DRIVE("closed_connections"));
    ended(END_EXITED, 1, "", "");
    judge();
    verdict_is(STATUS_FAILED, CLOSED_WANTED,
               "no client finished its exchange, so nothing could be observed", CHECK_HINT);
}

#define REAPED_WANTED "at most one child process of the server is left unreaped (a zombie) " \
                      "after its clients"

Test(expect_no_zombies, one_is_allowed, .fini = judging_end)
{
    judging_start(DRIVE("no_zombies"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    J.run.seen.counted_children = true;
    J.run.seen.zombies = 1;
    judge();
    verdict_is(STATUS_PASSED, REAPED_WANTED, "1 child process was left as zombie", NULL);
}

Test(expect_no_zombies, three_are_not, .fini = judging_end)
{
    judging_start(DRIVE("no_zombies"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    J.run.seen.counted_children = true;
    J.run.seen.zombies = 3;
    judge();
    verdict_is(STATUS_FAILED, REAPED_WANTED, "3 child processes were left as zombies", CHECK_HINT);
}

Test(expect_no_zombies, never_a_default, .fini = judging_end)
{
    judging_start(DRIVE("no_zombies"));
    ended(END_EXITED, 1, "", "");
    judge();
    verdict_is(STATUS_FAILED, REAPED_WANTED,
               "the clients did not run, so nothing could be observed", CHECK_HINT);
}

Test(expect_no_zombies, unreadable_process_table, .fini = judging_end)
{
    judging_start(DRIVE("no_zombies"));
    ended(END_STOPPED, 0, "", "");
    drove("hi\n", true, "");
    judge();
    verdict_is(STATUS_FAILED, REAPED_WANTED, "the process table could not be read", CHECK_HINT);
}
