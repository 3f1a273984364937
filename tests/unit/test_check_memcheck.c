/* Tests of check_memcheck: Valgrind's report, made up here as the program's stderr, is read
 * into a verdict and into the lines a student reads (errors and frames of their own file, and
 * each descriptor left open named by the line that made it). No program runs. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "util/util.h"

#define WANT_ALL "Valgrind memcheck finds no invalid access, no use of an uninitialised value, " \
                 "no definite leak, and no descriptor left open at exit"
#define WANT_MEMORY "Valgrind memcheck finds no invalid access, no use of an uninitialised " \
                    "value and no definite leak"

/* Valgrind's exit status when it found an error (--error-exitcode in its argv). */
#define FOUND 99

#define STD_FDS "==41== Open file descriptor 2: /dev/null\n" \
                "==41==    <inherited from parent>\n" \
                "==41== Open file descriptor 1: /dev/null\n" \
                "==41==    <inherited from parent>\n" \
                "==41== Open file descriptor 0: /dev/null\n" \
                "==41==    <inherited from parent>\n"
#define CLEAN_SUMMARY "==41== All heap blocks were freed -- no leaks are possible\n" \
                      "==41== \n" \
                      "==41== For lists of detected and suppressed errors, rerun with: -s\n" \
                      "==41== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n"

static struct memcheck_verdict V;

static void memcheck(int code, const char *err, bool judge_fds)
{
    struct sandbox_outcome o = { .end = END_EXITED, .code = code, .out = (char *)"",
                                 .err = (char *)err, .err_len = strlen(err) };
    memset(&V, 0, sizeof V);
    check_memcheck_judge(&o, "p", judge_fds, &V);
}

static void verdict_free(void)
{
    free(V.expected);
    free(V.actual);
    free(V.raw);
}

Test(memcheck, clean, .fini = verdict_free)
{
    memcheck(0, "==41== Memcheck, a memory error detector\n"
                "==41== FILE DESCRIPTORS: 3 open (3 std) at exit.\n" STD_FDS CLEAN_SUMMARY, true);
    cr_assert(V.ok);
    cr_assert_str_eq(V.expected, WANT_ALL);
    cr_assert_str_eq(V.actual, "clean");
}

Test(memcheck, uninitialised_value_shows_the_students_frames_only, .fini = verdict_free)
{
    memcheck(FOUND, "==41== Conditional jump or move depends on uninitialised value(s)\n"
                    "==41==    at 0x48A2F31: __vfprintf_internal (vfprintf-internal.c:1516)\n"
                    "==41==    by 0x109234: main (p.c:12)\n"
                    "==41== Use --track-origins=yes to see where uninitialised values come from\n"
                    "got 0\n"
                    "==41== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n",
             false);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.expected, WANT_MEMORY);
    cr_assert_str_eq(V.actual, "1 error, 0 descriptors left open:\n"
                               "at p.c:12 the program uses a value that was never initialised\n");
    cr_assert_str_eq(V.raw, "Conditional jump or move depends on uninitialised value(s)\n"
                            "by 0x109234: main (p.c:12)\n", "Valgrind's own lines are kept");
}

Test(memcheck, definite_leak, .fini = verdict_free)
{
    memcheck(FOUND, "==41== 40 bytes in 1 blocks are definitely lost in loss record 1 of 2\n"
                    "==41==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-"
                    "amd64-linux.so)\n"
                    "==41==    by 0x1091AE: main (p.c:8)\n"
                    "==41== \n"
                    "==41== LEAK SUMMARY:\n"
                    "==41==    definitely lost: 40 bytes in 1 blocks\n"
                    "==41==    indirectly lost: 0 bytes in 0 blocks\n"
                    "==41== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n",
             true);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.actual, "1 error, 0 descriptors left open:\n"
                               "at p.c:8 the program allocates 40 bytes (1 block) that are never "
                               "freed\n");
    cr_assert_str_eq(V.raw, "40 bytes in 1 blocks are definitely lost in loss record 1 of 2\n"
                            "by 0x1091AE: main (p.c:8)\n"
                            "definitely lost: 40 bytes in 1 blocks\n");
}

#define OPEN_SOCKET "==41== FILE DESCRIPTORS: 4 open (3 std) at exit.\n" \
                    "==41== Open AF_INET socket 3: 127.0.0.1:40000 <-> 127.0.0.1:7\n" \
                    "==41==    at 0x4F2A1B7: socket (syscall-template.S:120)\n" \
                    "==41==    by 0x1092A4: main (p.c:20)\n" \
                    "==41== \n" STD_FDS CLEAN_SUMMARY

Test(memcheck, a_socket_left_open_is_named_by_its_line, .fini = verdict_free)
{
    memcheck(0, OPEN_SOCKET, true);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.actual, "0 errors, 1 descriptor left open:\n"
                               "the socket made by socket() at p.c:20 is still open at exit: "
                               "close() it (on every path) before the program ends\n");
    cr_assert_str_eq(V.raw, "Open AF_INET socket 3: 127.0.0.1:40000 <-> 127.0.0.1:7\n"
                            "by 0x1092A4: main (p.c:20)\n");
}

Test(memcheck, a_file_left_open, .fini = verdict_free)
{
    memcheck(0, "==41== Open file descriptor 5: /etc/services\n"
                "==41==    at 0x49A0F7B: open (open64.c:41)\n"
                "==41==    by 0x48E3C15: _IO_file_open (fileops.c:188)\n"
                "==41==    by 0x48E3DD1: fopen (iofopen.c:86)\n"
                "==41==    by 0x1091C3: main (p.c:7)\n" CLEAN_SUMMARY, true);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.actual, "0 errors, 1 descriptor left open:\n"
                               "the file made by open() at p.c:7 is still open at exit: close() "
                               "it (on every path) before the program ends\n");
}

/* A server is stopped, not left to end: its sockets are open by design. */
Test(memcheck, descriptors_are_not_judged_for_a_server, .fini = verdict_free)
{
    memcheck(0, OPEN_SOCKET, false);
    cr_assert(V.ok);
    cr_assert_str_eq(V.expected, WANT_MEMORY);
    cr_assert_str_eq(V.actual, "clean");
}

/* The program shares stderr with Valgrind: a summary it prints itself proves nothing, since
 * the verdict comes from Valgrind's exit status. */
Test(memcheck, a_faked_summary_does_not_pass, .fini = verdict_free)
{
    memcheck(FOUND, "==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n"
                    "==41== Invalid read of size 4\n"
                    "==41==    at 0x1091A2: main (p.c:9)\n"
                    "==41==  Address 0x4a8b068 is 0 bytes after a block of size 40 alloc'd\n"
                    "==41==    at 0x48407B4: malloc (vg_replace_malloc.c:381)\n"
                    "==41==    by 0x109186: main (p.c:6)\n"
                    "==41== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n",
             true);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.actual, "1 error, 0 descriptors left open:\n"
                               "at p.c:9 the program reads 4 bytes of memory it does not own\n");
}

Test(memcheck, no_summary_is_no_pass, .fini = verdict_free)
{
    memcheck(0, "==41== Memcheck, a memory error detector\n", true);
    cr_assert_not(V.ok);
    cr_assert_str_eq(V.actual, "Valgrind's summary never appeared (the program did not end, or "
                               "its output went over the cap)");
}

Test(memcheck, each_error_said_once_at_most_eight_raw_lines_24, .fini = verdict_free)
{
    struct strbuf err;
    strbuf_init(&err);
    for (int i = 0; i < 30; i++)
        strbuf_addf(&err, "==41== Invalid write of size 1\n==41==    at 0x1091A2: main (p.c:%d)\n",
                    i + 1);
    strbuf_addstr(&err, "==41== Invalid write of size 1\n==41==    at 0x1091A2: main (p.c:1)\n");
    strbuf_addstr(&err, "==41== Syscall param socketcall.recvfrom(fromlen_in) points to uninitialised byte(s)\n"
                        "==41==    at 0x4977C3A: recvfrom (recvfrom.c:27)\n"
                        "==41==    by 0x1091F0: main (p.c:40)\n");
    strbuf_addstr(&err, "==41== ERROR SUMMARY: 32 errors from 32 contexts\n");
    memcheck(FOUND, err.data, true);
    strbuf_release(&err);
    cr_assert_not(V.ok);
    size_t lines = 0, raw = 0;
    for (const char *p = V.actual; *p; p++)
        lines += *p == '\n';
    for (const char *p = V.raw; *p; p++)
        raw += *p == '\n';
    cr_assert_eq(lines, 1 + MEMCHECK_SAID_MAX + 1, "%s", V.actual);
    cr_assert(strncmp(V.actual, "32 errors, 0 descriptors left open:\n"
                                "at p.c:1 the program writes 1 byte to memory it does not own\n"
                                "at p.c:2 the program", 90) == 0, "%s", V.actual);
    cr_assert(strstr(V.actual, "\nand 23 more\n"), "the same error at the same line counts once: %s",
              V.actual);
    cr_assert_eq(raw, 24, "%s", V.raw);
}

Test(memcheck, a_system_call_given_uninitialised_memory, .fini = verdict_free)
{
    memcheck(FOUND, "==41== Syscall param socketcall.recvfrom(fromlen_in) points to uninitialised byte(s)\n"
                    "==41==    at 0x4977C3A: recvfrom (recvfrom.c:27)\n"
                    "==41==    by 0x1091F0: main (p.c:40)\n"
                    "==41== ERROR SUMMARY: 1 errors from 1 contexts\n", false);
    cr_assert_str_eq(V.actual, "1 error, 0 descriptors left open:\n"
                               "at p.c:40 the program passes a system call memory that was never "
                               "initialised (socketcall.recvfrom(fromlen_in))\n");
}

Test(memcheck, an_error_without_the_students_line, .fini = verdict_free)
{
    memcheck(FOUND, "==41== Invalid free() / delete / delete[] / realloc()\n"
                    "==41==    at 0x484317B: free (vg_replace_malloc.c:872)\n"
                    "==41==    by 0x48C1E2B: fclose (iofclose.c:74)\n"
                    "==41== ERROR SUMMARY: 1 errors from 1 contexts\n", false);
    cr_assert_str_eq(V.actual, "1 error, 0 descriptors left open:\n"
                               "the program frees memory that malloc() did not give it, or frees it "
                               "twice (in a library call: no line of its own file is on the stack)\n");
}

Test(memcheck, runs_valgrind_with_its_error_exit_status)
{
    const char **args;
    size_t n = check_memcheck_prefix(&args);
    cr_assert_gt(n, 1);
    cr_assert_str_eq(args[0], "/usr/bin/valgrind");
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(args[i], "--error-exitcode=99") == 0;
    cr_assert(found, "the judge reads exit status 99 as Valgrind's finding");
}

/* Through check_judge: a memcheck check whose expectations pass is decided by Valgrind, and
 * reads Valgrind's default hint; the kind of check decides whether descriptors count. */
static struct spec *S;
static struct check_result R;

static void judged_memcheck(const char *kind_sq, const char *err)
{
    char ebuf[UTIL_ERRLEN];
    char *json = xasprintf("{\"schema\": \"sockgrade-spec/1\", \"program\": \"p\", \"title\": \"t\", "
                           "\"checks\": [{\"id\": \"m\", \"description\": \"d\", %s, "
                           "\"memcheck\": true}]}", kind_sq);
    S = spec_parse("spec.json", json, ebuf, sizeof ebuf);
    free(json);
    cr_assert_not_null(S, "%s", ebuf);
    struct check_ctx ctx = { .spec = S, .check = &S->checks[0] };
    struct check_run run = { .ctx = &ctx };
    env_make(&run.env, 42, "p");
    run.seen.timeout_ms = 1000;
    run.seen.outcome = (struct sandbox_outcome){ .end = END_EXITED, .out = (char *)"",
                                                 .err = (char *)err, .err_len = strlen(err) };
    check_result_init(&R, ctx.check);
    check_judge(&run, &R);
    free(run.valgrind); /* Valgrind's lines, kept for the evidence (check_execute frees them) */
    env_free(&run.env);
}

static void judged_free(void)
{
    result_check_free(&R);
    spec_free(S);
}

Test(memcheck, decides_a_run_check_after_its_expectations, .fini = judged_free)
{
    judged_memcheck("\"kind\": \"run\", \"expect\": [{\"what\": \"ends\"}]", OPEN_SOCKET);
    cr_assert_eq(R.status, STATUS_FAILED);
    cr_assert_str_eq(R.expected, WANT_ALL);
    cr_assert_str_eq(R.hint, "each line names what Valgrind saw and the line of your program "
                             "where it happened");
}

Test(memcheck, a_server_is_not_judged_for_its_sockets, .fini = judged_free)
{
    judged_memcheck("\"kind\": \"drive\", \"ready\": \"tcp:{port}\", "
                    "\"expect\": [{\"what\": \"ends\"}]", OPEN_SOCKET);
    cr_assert_eq(R.status, STATUS_PASSED, "%s", R.actual);
    cr_assert_str_eq(R.expected, WANT_MEMORY);
    cr_assert_str_eq(R.actual, "clean");
    cr_assert_null(R.hint);
}
