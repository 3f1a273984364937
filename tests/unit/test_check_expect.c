/* Tests of the judges (check_expect.c): for every kind of expectation, a run made up (how the
 * program ended, what it printed, what the peers and the grader's clients saw) is judged, and
 * the verdict and the exact words a student reads (expected, actual, hint) are asserted. No
 * program runs. JSON in this file is written with ' for ". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judging.h"

#define ENDS "'kind': 'run', 'expect': [{'what': 'ends'}]"
#define ENDS_WITHIN "the program ends by itself within 1000 ms"

Test(expect_ends, passes_when_it_exits_or_crashes, .fini = judging_end)
{
    judging_start(ENDS);
    ended(END_SIGNALED, 11, "", "");
    judge();
    verdict_is(STATUS_PASSED, ENDS_WITHIN, "killed by signal 11 (Segmentation fault)", NULL);
}

Test(expect_ends, fails_at_the_deadline_quoting_what_it_said, .fini = judging_end)
{
    judging_start(ENDS);
    ended(END_TIMEOUT, 0, "listening\n", "");
    judge();
    verdict_is(STATUS_FAILED, ENDS_WITHIN,
               "still running after 1000 ms (killed); before that it printed \"listening\\n\"",
               CHECK_HINT);
}

Test(expect_exit, zero, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'zero'}]");
    ended(END_EXITED, 0, "", "");
    judge();
    verdict_is(STATUS_PASSED, "exit status 0", "exit status 0", NULL);
}

Test(expect_exit, zero_fails_with_the_expectations_own_hint, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'zero', 'hint': 'return 0'}]");
    ended(END_EXITED, 1, "", "");
    judge();
    verdict_is(STATUS_FAILED, "exit status 0", "exit status 1", "return 0");
}

Test(expect_exit, nonzero, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'nonzero'}]");
    ended(END_EXITED, 2, "", "");
    judge();
    verdict_is(STATUS_PASSED, "a non-zero exit status (the failure is reported to the shell)",
               "exit status 2", NULL);
}

Test(expect_exit, nonzero_fails_on_zero, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'nonzero'}]");
    ended(END_EXITED, 0, "", "");
    judge();
    verdict_is(STATUS_FAILED, "a non-zero exit status (the failure is reported to the shell)",
               "exit status 0", CHECK_HINT);
}

Test(expect_exit, clean_passes_any_status, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'clean'}]");
    ended(END_EXITED, 1, "", "");
    judge();
    verdict_is(STATUS_PASSED, "the program exits normally (no crash, no hang)", "exit status 1",
               NULL);
}

Test(expect_exit, clean_fails_on_a_crash, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'clean'}]");
    ended(END_SIGNALED, 11, "", "");
    judge();
    verdict_is(STATUS_FAILED, "the program exits normally (no crash, no hang)",
               "killed by signal 11 (Segmentation fault)", CHECK_HINT);
}

#define MESSAGE "'kind': 'run', 'expect': [{'what': 'message'}]"
#define MESSAGE_WANTED "a message saying what went wrong (stdout or stderr)"

Test(expect_message, on_stderr, .fini = judging_end)
{
    judging_start(MESSAGE);
    ended(END_EXITED, 1, "", "connect: Connection refused\n");
    judge();
    verdict_is(STATUS_PASSED, MESSAGE_WANTED,
               "printed nothing on stdout; stderr \"connect: Connection refused\\n\"", NULL);
}

Test(expect_message, in_korean_only, .fini = judging_end)
{
    judging_start(MESSAGE);
    ended(END_EXITED, 1, "연결 실패\n", "");
    judge();
    verdict_is(STATUS_PASSED, MESSAGE_WANTED, "printed \"연결 실패\\n\"", NULL);
}

Test(expect_message, blanks_are_no_message, .fini = judging_end)
{
    judging_start(MESSAGE);
    ended(END_EXITED, 1, " \n", "\t");
    judge();
    verdict_is(STATUS_FAILED, MESSAGE_WANTED, "printed \" \\n\"; stderr \"\\t\"", CHECK_HINT);
}

Test(expect_message, silence, .fini = judging_end)
{
    judging_start(MESSAGE);
    ended(END_EXITED, 1, "", "");
    judge();
    verdict_is(STATUS_FAILED, MESSAGE_WANTED, "no output", CHECK_HINT);
}

#define VALUES(extra) "'kind': 'run', 'expect': [{'what': 'values', 'type': 'int', " \
                      "'values': ['105']" extra "}]"

Test(expect_values, found_among_words, .fini = judging_end)
{
    judging_start(VALUES(""));
    ended(END_EXITED, 0, "getdtablesize: 105\n", "");
    judge();
    verdict_is(STATUS_PASSED, "int value 105 in this order", "int values printed: 105", NULL);
}

Test(expect_values, wrong_value, .fini = judging_end)
{
    judging_start(VALUES(""));
    ended(END_EXITED, 0, "getdtablesize: 104\n", "");
    judge();
    verdict_is(STATUS_FAILED, "int value 105 in this order", "int values printed: 104", CHECK_HINT);
}

Test(expect_values, none_printed, .fini = judging_end)
{
    judging_start(VALUES(""));
    ended(END_EXITED, 0, "no numbers here\n", "");
    judge();
    verdict_is(STATUS_FAILED, "int value 105 in this order",
               "no int value in the output (it printed other text)", CHECK_HINT);
}

Test(expect_values, over_the_cap_says_it_was_the_cap, .fini = judging_end)
{
    judging_start(VALUES(", 'max_extra': 2"));
    ended(END_EXITED, 0, "1 2 3 105 5\n", "");
    judge();
    verdict_is(STATUS_FAILED, "int value 105 in this order",
               "105 was printed, but so were 4 other int values (1, 2, 3, 105, 5); at most 2 "
               "others are allowed",
               "print the values asked for and not a list of candidates: a few other values (a "
               "label's number, getdtablesize() before the answer) are tolerated, but so many "
               "that a guess could pass are not");
}

Test(expect_values, in_order, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'values', 'type': 'int', "
                  "'values': ['1', '2']}]");
    ended(END_EXITED, 0, "2 1\n", "");
    judge();
    verdict_is(STATUS_FAILED, "int values 1, 2 in this order", "int values printed: 2, 1",
               CHECK_HINT);
}

Test(expect_contains, found, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'contains', 'text': 'olleh'}]");
    ended(END_EXITED, 0, "olleh\n", "");
    judge();
    verdict_is(STATUS_PASSED, "stdout contains \"olleh\"", "printed \"olleh\\n\"", NULL);
}

Test(expect_contains, missing, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'contains', 'text': 'olleh'}]");
    ended(END_EXITED, 0, "hello\n", "");
    judge();
    verdict_is(STATUS_FAILED, "stdout contains \"olleh\"", "printed \"hello\\n\"", CHECK_HINT);
}

Test(expect_contains, output_is_quoted_up_to_a_cap, .fini = judging_end)
{
    char out[401], *actual;
    memset(out, 'a', 400);
    out[400] = '\0';
    judging_start("'kind': 'run', 'expect': [{'what': 'contains', 'text': 'b'}]");
    ended(END_EXITED, 0, out, "");
    judge();
    /* The quote holds its opening mark and 299 bytes; the rest is counted. */
    actual = xasprintf("printed \"%.299s\" …(101 more bytes)", out);
    verdict_is(STATUS_FAILED, "stdout contains \"b\"", actual, CHECK_HINT);
    free(actual);
}

Test(expect_lacks, absent, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'lacks', 'text': 'secret'}]");
    ended(END_EXITED, 0, "ok\n", "");
    judge();
    verdict_is(STATUS_PASSED, "stdout never contains \"secret\"", "printed \"ok\\n\"", NULL);
}

Test(expect_lacks, present, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'lacks', 'text': 'secret'}]");
    ended(END_EXITED, 0, "the secret\n", "");
    judge();
    verdict_is(STATUS_FAILED, "stdout never contains \"secret\"", "printed \"the secret\\n\"",
               CHECK_HINT);
}

#define RECEIVED ECHO_PEER "'kind': 'run', 'expect': [{'what': 'peer_received', " \
                           "'peer': 'echo', 'text': 'hello\\n'}]"
#define RECEIVES "the server on port 7 receives exactly \"hello\\n\""
#define SWAPPED_HINT "nothing reached port 7, but port 1792 did: that is 7 with its two bytes " \
                     "swapped. Was htons() missed when filling sin_port?"

Test(expect_peer_received, exactly, .fini = judging_end)
{
    judging_start(RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 1, "hello\n", 6, 0);
    judge();
    verdict_is(STATUS_PASSED, RECEIVES, "it received \"hello\\n\"", NULL);
}

Test(expect_peer_received, with_its_nul, .fini = judging_end)
{
    judging_start(RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 1, "hello\n", 7, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "it received \"hello\\n\\0\"", CHECK_HINT);
}

Test(expect_peer_received, nothing_reached_it, .fini = judging_end)
{
    judging_start(RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "nothing reached the server on port 7", CHECK_HINT);
}

Test(expect_peer_received, the_swapped_port_is_named, .fini = judging_end)
{
    judging_start(RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 1);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "nothing reached port 7; 1 contact(s) on port 1792",
               SWAPPED_HINT);
}

Test(expect_peer_received, an_empty_datagram_is_called_one, .fini = judging_end)
{
    judging_start(RECEIVED);
    ended(END_EXITED, 0, "", "");
    peer_saw(true, 1, "", 0, 0);
    judge();
    verdict_is(STATUS_FAILED, RECEIVES, "it received an empty datagram", CHECK_HINT);
}

#define CONTACTED ECHO_PEER "'kind': 'run', 'expect': [{'what': 'peer_contacted', 'peer': 'echo'}]"
#define REACHES "the program reaches the grader's server on port 7"

Test(expect_peer_contacted, by_connections, .fini = judging_end)
{
    judging_start(CONTACTED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 2, "x", 1, 0);
    judge();
    verdict_is(STATUS_PASSED, REACHES, "2 connection(s)", NULL);
}

Test(expect_peer_contacted, by_a_udp_sender, .fini = judging_end)
{
    judging_start(CONTACTED);
    ended(END_EXITED, 0, "", "");
    peer_saw(true, 1, "x", 1, 0);
    judge();
    verdict_is(STATUS_PASSED, REACHES, "1 sender(s)", NULL);
}

Test(expect_peer_contacted, not_at_all, .fini = judging_end)
{
    judging_start(CONTACTED);
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    judge();
    verdict_is(STATUS_FAILED, REACHES, "nothing reached the server on port 7", CHECK_HINT);
}

#define SRC_PORT ECHO_PEER "'kind': 'run', 'expect': [{'what': 'values', 'type': 'int', " \
                           "'values': ['{obs.echo.src_port}']}]"

Test(judge, an_observation_is_compared_when_it_was_made, .fini = judging_end)
{
    judging_start(SRC_PORT);
    ended(END_EXITED, 0, "local port: 40000\n", "");
    peer_saw(false, 1, "x", 1, 0);
    env_setf(&J.run.env, "obs.echo.src_port", "%u", 40000u);
    judge();
    verdict_is(STATUS_PASSED, "int value 40000 in this order", "int values printed: 40000", NULL);
}

Test(judge, an_observation_never_made_is_not_a_zero, .fini = judging_end)
{
    judging_start(SRC_PORT);
    ended(END_EXITED, 0, "local port: 0\n", "");
    peer_saw(false, 0, "", 0, 0);
    judge();
    verdict_is(STATUS_FAILED,
               "a value the grader's TCP peer on port 7 observes (the connection's source port)",
               "the peer on port 7 saw no connection, so there is nothing to compare with (did "
               "connect() reach port 7?)",
               "the grader's TCP server saw no connection from your program: fill a sockaddr_in "
               "with sin_family = AF_INET, sin_port = htons(7) and the server's address before "
               "connect(), and check connect()'s return value (a zeroed address has family 0, and "
               "connect() to it returns 0 without connecting)");
}

Test(judge, an_observation_missed_for_the_swapped_port, .fini = judging_end)
{
    judging_start(SRC_PORT);
    ended(END_EXITED, 0, "local port: 0\n", "");
    peer_saw(true, 0, "", 0, 2);
    judge();
    verdict_is(STATUS_FAILED,
               "a value the grader's UDP peer on port 7 observes (a datagram's source port)",
               "the peer on port 7 saw no datagram, so there is nothing to compare with; 2 "
               "contact(s) arrived on port 1792 instead", SWAPPED_HINT);
}

Test(judge, the_first_failure_decides, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'exit', 'is': 'zero', 'hint': 'first'}, "
                  "{'what': 'contains', 'text': 'x', 'hint': 'second'}]");
    ended(END_EXITED, 3, "", "");
    judge();
    verdict_is(STATUS_FAILED, "exit status 0", "exit status 3", "first");
}

Test(judge, the_last_expectation_speaks_for_a_pass, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'ends'}, {'what': 'contains', 'text': 'x'}]");
    ended(END_EXITED, 0, "x", "");
    judge();
    verdict_is(STATUS_PASSED, "stdout contains \"x\"", "printed \"x\"", NULL);
}

Test(judge, a_missed_swapped_port_is_the_hint_of_any_failure, .fini = judging_end)
{
    judging_start(ECHO_PEER "'kind': 'run', 'expect': [{'what': 'contains', 'text': 'olleh'}]");
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 1);
    judge();
    verdict_is(STATUS_FAILED, "stdout contains \"olleh\"", "no output", SWAPPED_HINT);
}

Test(judge, out_of_memory_never_passes, .fini = judging_end)
{
    judging_start(ENDS);
    ended(END_SIGNALED, 9, "answer\n", "");
    J.run.seen.outcome.oom_killed = true;
    judge();
    verdict_is(STATUS_FAILED, "the program's processes together stay within the run's memory",
               "killed by signal 9 (Killed): its processes together ran out of the run's memory",
               "something allocates without bound (a loop that never frees, or that never ends): "
               "all processes of a run share one memory limit");
}

Test(judge, an_unknown_variable_is_the_graders_error, .fini = judging_end)
{
    judging_start("'kind': 'run', 'expect': [{'what': 'contains', 'text': '{nope}'}]");
    ended(END_EXITED, 0, "x", "");
    judge();
    cr_assert_eq(J.res.status, STATUS_ERROR);
    cr_assert_str_eq(J.res.actual, "unknown variable {nope} in \"{nope}\"");
    cr_assert_null(J.res.expected);
    cr_assert_null(J.res.hint);
}

/* Every kind of expectation has a judge (a missing row of check_judges would crash here):
 * each is judged on a run where nothing happened, and says what it expected. */
Test(judge, every_kind_has_a_judge, .fini = judging_end)
{
    judging_start(ECHO_PEER DRIVE("echoed"));
    ended(END_EXITED, 0, "", "");
    peer_saw(false, 0, "", 0, 0);
    struct spec_check c = J.spec->checks[0];
    struct spec_expect x;
    char *values[] = { (char *)"1" };
    c.expects = &x;
    J.ctx.check = &c;
    for (int w = 0; w < EXPECT_WHAT_COUNT; w++) {
        x = (struct spec_expect){ .what = (enum expect_what)w, .is = (char *)"zero",
                                  .type = (char *)"int", .values = values, .nvalues = 1,
                                  .max_extra = -1, .text = (char *)"x", .peer = (char *)"echo" };
        result_check_free(&J.res);
        judge();
        cr_assert(J.res.status == STATUS_PASSED || J.res.status == STATUS_FAILED,
                  "%s: status %d", expect_what_name((enum expect_what)w), J.res.status);
        cr_assert_not_null(J.res.expected, "%s", expect_what_name((enum expect_what)w));
        cr_assert_not_null(J.res.actual, "%s", expect_what_name((enum expect_what)w));
    }
}
