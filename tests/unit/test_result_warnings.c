/* result_bug_warnings: which compiler warnings a student is shown when the build succeeds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "result/result.h"

/* gcc 12's own words for a textbook client with three bugs and two style warnings. */
static const char gcc_output[] =
    "/src/tcp_echocli.c: In function \xE2\x80\x98main\xE2\x80\x99:\n"
    "/src/tcp_echocli.c:4:31: warning: pointer targets in initialization of \xE2\x80\x98unsigned char *\xE2\x80\x99 from \xE2\x80\x98" "char *\xE2\x80\x99 differ in signedness [-Wpointer-sign]\n"
    "    4 |     unsigned char *u = \"x\";\n"
    "      |                        ^~~\n"
    "/src/tcp_echocli.c:5:9: warning: suggest parentheses around assignment used as truth value [-Wparentheses]\n"
    "    5 |     if (n = read(fd, buf, 10) < 0)\n"
    "      |         ^\n"
    "/src/tcp_echocli.c:6:14: warning: implicit declaration of function \xE2\x80\x98socket\xE2\x80\x99 [-Wimplicit-function-declaration]\n"
    "    6 |     int fd = socket(2, 1, 0);\n"
    "      |              ^~~~~~\n"
    "/src/tcp_echocli.c:6:9: warning: unused variable \xE2\x80\x98x\xE2\x80\x99 [-Wunused-variable]\n"
    "    6 |     int x;\n"
    "      |         ^\n"
    "/src/tcp_echocli.c:7:5: warning: \xE2\x80\x98" "len\xE2\x80\x99 is used uninitialized [-Wuninitialized]\n"
    "    7 |     accept(s, &a, &len);\n"
    "/src/tcp_echocli.c:3:4: note: \xE2\x80\x98" "len\xE2\x80\x99 was declared here\n"
    "    3 |    socklen_t len;\n";

Test(result_warnings, keeps_the_bugs_and_drops_the_noise)
{
    size_t n = 99;
    char *w = result_bug_warnings(gcc_output, &n);
    cr_assert_eq(n, 3, "parentheses, implicit declaration, uninitialized: %zu\n%s", n, w);
    cr_assert(strstr(w, "[-Wparentheses]\n    5 |     if (n = read(fd, buf, 10) < 0)\n      |         ^\n"),
              "a warning keeps its source lines: %s", w);
    cr_assert(strstr(w, "[-Wimplicit-function-declaration]\n"));
    cr_assert(strstr(w, "note: \xE2\x80\x98" "len\xE2\x80\x99 was declared here\n    3 |    socklen_t len;\n"),
              "and its notes: %s", w);
    cr_assert_null(strstr(w, "Wpointer-sign"), "the textbook's unsigned char buffers are noise");
    cr_assert_null(strstr(w, "unsigned char *u"), "a dropped warning drops its source lines too");
    cr_assert_null(strstr(w, "Wunused-variable"));
    cr_assert_null(strstr(w, "In function"), "headings without their warnings are dropped");
    free(w);
}

Test(result_warnings, none_gives_an_empty_string)
{
    size_t n = 99;
    char *w = result_bug_warnings("x.c:1:1: warning: unused parameter [-Wunused-parameter]\n", &n);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(w, "");
    free(w);
    w = result_bug_warnings(NULL, &n);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(w, "");
    free(w);
}

Test(result_warnings, at_most_eight_shown_all_counted)
{
    char in[4096] = "";
    for (int i = 0; i < 12; i++)
        snprintf(in + strlen(in), sizeof in - strlen(in),
                 "a.c:%d:1: warning: implicit declaration of function \xE2\x80\x98" "f%d\xE2\x80\x99 [-Wimplicit-function-declaration]\n", i + 1, i);
    size_t n = 0;
    char *w = result_bug_warnings(in, &n);
    cr_assert_eq(n, 12);
    cr_assert(strstr(w, "a.c:8:1:") && !strstr(w, "a.c:9:1:"), "%s", w);
    free(w);
}
