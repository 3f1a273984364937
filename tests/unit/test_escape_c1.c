/* test_escape_c1: no raw C1 control (U+0080..U+009F; U+009B is the 8-bit CSI) leaves the
 * grader in any report format or message, and the JSON formats still read back the same text
 * (issue 16). The hostile suite's terminal_escapes attack checks the text report end to end. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "result/result_json.h"
#include "util/util.h"

/* CSI 2 J and NEL in UTF-8, between ordinary text and a Korean label. */
#define C1_TEXT "a\xC2\x9B" "2J b\xC2\x85 c\xC2\x80\xC2\x9F 한글 \xC2\xA0nbsp"

static struct run_result *c1_run(void)
{
    struct run_result *r = xcalloc(1, sizeof *r);
    r->seed = 7;
    r->sandbox = xstrdup("namespaces");
    r->grader_version = xstrdup("0.1.0");
    r->submission = xstrdup("subs/\xC2\x9B" "31m");
    r->nprograms = 1;
    r->programs = xcalloc(1, sizeof *r->programs);
    struct program_result *p = &r->programs[0];
    p->name = xstrdup("mydaytime");
    p->source = xstrdup("mydaytime.c");
    p->build.command = xstrdup("gcc");
    p->build.diagnostics = xstrdup("warning: " C1_TEXT);
    p->nchecks = 1;
    p->checks = xcalloc(1, sizeof *p->checks);
    p->checks[0].id = xstrdup("prints_daytime");
    p->checks[0].description = xstrdup("prints the time");
    p->checks[0].status = STATUS_FAILED;
    p->checks[0].max_score = 1;
    p->checks[0].expected = xstrdup("the daytime");
    p->checks[0].actual = xstrdup(C1_TEXT);
    p->checks[0].hint = xstrdup(C1_TEXT);
    return r;
}

static void assert_no_c1(const char *doc, const char *format)
{
    for (const unsigned char *p = (const unsigned char *)doc; *p; p++)
        cr_assert(!(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F),
                  "%s: raw C1 U+%04X at byte %td", format, p[1], (const char *)p - doc);
    /* U+00A0 is not a control: it must pass unchanged. */
    cr_assert(strstr(doc, "\xC2\xA0nbsp"), "%s: U+00A0 was changed", format);
}

Test(escape_c1, every_format_escapes_c1)
{
    static const enum report_format formats[] = { FORMAT_TEXT, FORMAT_JSON, FORMAT_GRADESCOPE,
                                                  FORMAT_JUNIT };
    struct run_result *r = c1_run();
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char *doc = report_render(r, formats[i], NULL);
        assert_no_c1(doc, report_format_name(formats[i]));
        cr_assert(strstr(doc, "\\u009b"), "%s: CSI not spelled \\u009b", report_format_name(formats[i]));
        free(doc);
    }
    result_run_free(r);
    free(r);
}

Test(escape_c1, json_reads_back_the_same_text)
{
    char err[UTIL_ERRLEN];
    struct run_result *r = c1_run();
    char *doc = result_json_write(r);
    struct run_result *back = result_json_read(doc, err, sizeof err);
    cr_assert_not_null(back, "%s", err);
    cr_assert_str_eq(back->programs[0].checks[0].actual, C1_TEXT);
    cr_assert_str_eq(back->submission, r->submission);
    free(doc);
    result_run_free(back);
    free(back);
    result_run_free(r);
    free(r);
}

Test(escape_c1, escape_leaves_other_text_alone)
{
    char *s = result_json_escape_c1("{\"k\": \"\xC2\x9B\xC2\xA9\xC3\x80 \\u001b\"}");
    cr_assert_str_eq(s, "{\"k\": \"\\u009b\xC2\xA9\xC3\x80 \\u001b\"}");
    free(s);
}

Test(escape_c1, warnings_spell_out_controls, .init = cr_redirect_stderr)
{
    warn("student %s", "x\x1b[2J\xC2\x9B" "31m\x7f\tend");
    fflush(stderr);
    cr_assert_stderr_eq_str("sockgrade: warning: student x\\x1b[2J\\u009b31m\\x7f\tend\n");
}
