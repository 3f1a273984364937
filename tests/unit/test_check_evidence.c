/* check_evidence: the command line and the grader's side of a run, in the words a student
 * reads to run a failed check again by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "check/check_int.h"

Test(check_evidence, command_as_the_student_types_it)
{
    const char *args[] = { "127.0.0.1", "33420", "it's a line", "" };
    char *cmd = check_evidence_command("udp_echocli", args, 2, false);
    cr_assert_str_eq(cmd, "./udp_echocli 127.0.0.1 33420");
    free(cmd);
    cmd = check_evidence_command("get_hostent", args + 2, 2, false);
    cr_assert_str_eq(cmd, "./get_hostent 'it'\\''s a line' ''", "quoted for a shell: %s", cmd);
    free(cmd);
    cmd = check_evidence_command("tcp_echoserv", args + 1, 1, true);
    cr_assert_str_eq(cmd, "valgrind --leak-check=full --track-fds=yes ./tcp_echoserv 33420");
    free(cmd);
}

Test(check_evidence, peers_in_words)
{
    struct peer_config p = { .type = PEER_UDP_ECHO, .addr = 0x7f000001, .port = 33420,
                             .reply = REPLY_REVERSE, .delay_ms = 1500 };
    char *d = check_evidence_peer(&p);
    cr_assert_str_eq(d, "UDP echo server on 127.0.0.1:33420, replies with each line reversed, "
                        "the first reply 1500 ms late");
    free(d);
    p = (struct peer_config){ .type = PEER_TCP_SEND, .addr = 0x7f000001, .port = 13,
                              .text = "Thu Sep 22 10:00:00 2026\r\n", .text_len = 26 };
    d = check_evidence_peer(&p);
    cr_assert_str_eq(d, "TCP server on 127.0.0.1:13 that sends \"Thu Sep 22 10:00:00 2026\\r\\n\" and closes");
    free(d);
    p = (struct peer_config){ .type = PEER_TCP_ECHO, .addr = 0x7f000001, .port = 7,
                              .reply = REPLY_ECHO, .pieces = 3 };
    d = check_evidence_peer(&p);
    cr_assert_str_eq(d, "TCP echo server on 127.0.0.1:7, echoes what it receives, in 3 pieces");
    free(d);
    p = (struct peer_config){ .type = PEER_TCP_SQUAT, .addr = 0x7f000001, .port = 5000 };
    d = check_evidence_peer(&p);
    cr_assert_str_eq(d, "another program listening on 127.0.0.1:5000 (it never accepts)");
    free(d);
}
