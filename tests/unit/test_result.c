/* Tests of the result model: result_text's repair, NUL spelling and cut at a character
 * boundary; the name tables; totals and the exit status. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "result/result.h"
#include "util/util.h"

#define FFFD "\xEF\xBF\xBD"

/* Strings inline, not pointers: Criterion re-executes the binary for each test, so a
 * pointer in a parameter would point into another process's (randomised) image. */
struct text_case {
    char name[24];
    char in[16];
    size_t len;
    size_t cap;
    char want[48];
};

#define CASE(n, in, cap, want) { n, in, sizeof(in) - 1, cap, want }

static struct text_case text_cases[] = {
    CASE("ascii", "hello\n", 0, "hello\n"),
    CASE("korean", "\xEC\x95\x88\xEB\x85\x95", 0, "\xEC\x95\x88\xEB\x85\x95"),
    CASE("four-byte", "\xF0\x9F\x98\x80!", 0, "\xF0\x9F\x98\x80!"),
    CASE("stray-ff", "a\xFF" "b", 0, "a" FFFD "b"),
    CASE("lone-continuation", "\x80x", 0, FFFD "x"),
    CASE("overlong-2", "\xC0\xAF", 0, FFFD FFFD),
    CASE("overlong-3", "\xE0\x80\xAF", 0, FFFD FFFD FFFD),
    CASE("overlong-4", "\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD),
    CASE("surrogate", "\xED\xA0\x80", 0, FFFD FFFD FFFD),
    CASE("above-10ffff", "\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD),
    CASE("f5-lead", "\xF5\x80", 0, FFFD FFFD),
    CASE("truncated-at-end", "ok\xE4\xB8", 0, "ok" FFFD),
    CASE("truncated-in-middle", "\xE4\xB8" "A", 0, FFFD "A"),
    CASE("nul", "a\0b", 0, "a\\0b"),
    CASE("max-valid", "\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF"),
    CASE("cap-exact", "abc", 3, "abc"),
    CASE("cap-ascii", "abcdef", 2, "ab\xE2\x80\xA6[4 bytes more]"),
    /* 3-byte characters with cap 4: the second one does not fit whole, so it is not cut. */
    CASE("cap-boundary", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", 4,
         "\xED\x95\x9C\xE2\x80\xA6[6 bytes more]"),
    CASE("cap-nul-counts", "ab\0cd", 3, "ab\xE2\x80\xA6[3 bytes more]"),
    CASE("cap-replacement", "a\xFF\xFF", 4, "a" FFFD "\xE2\x80\xA6[1 bytes more]"),
};

ParameterizedTestParameters(result, text)
{
    return cr_make_param_array(struct text_case, text_cases,
                               sizeof(text_cases) / sizeof(text_cases[0]));
}

ParameterizedTest(struct text_case *c, result, text)
{
    char *got = result_text(c->in, c->len, c->cap);
    cr_assert_str_eq(got, c->want, "case %s", c->name);
    free(got);
}

Test(result, text_null_is_empty)
{
    char *got = result_text(NULL, 5, 10);
    cr_assert_str_eq(got, "");
    free(got);
}

/* Every cut of a long multi-byte text is valid UTF-8 and never longer than cap + marker. */
Test(result, text_cut_every_cap)
{
    static const char korean[] = "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xF0\x9F\x98\x80 abc";
    size_t len = sizeof(korean) - 1;
    for (size_t cap = 1; cap <= len; cap++) {
        char *got = result_text(korean, len, cap);
        char *fixed = result_utf8_repair(got);
        cr_assert_str_eq(got, fixed, "cap %zu produced invalid UTF-8", cap);
        const char *mark = strstr(got, "\xE2\x80\xA6[");
        size_t kept = mark ? (size_t)(mark - got) : strlen(got);
        cr_assert_leq(kept, cap, "cap %zu kept %zu", cap, kept);
        cr_assert(memcmp(got, korean, kept) == 0, "cap %zu: kept text is not a prefix", cap);
        free(got);
        free(fixed);
    }
}

Test(result, utf8_repair_keeps_valid_text)
{
    char *got = result_utf8_repair("\x1b[31mred\x7f \xEC\x95\x88");
    cr_assert_str_eq(got, "\x1b[31mred\x7f \xEC\x95\x88");
    free(got);
    got = result_utf8_repair(NULL);
    cr_assert_str_eq(got, "");
    free(got);
}

Test(result, names_round_trip)
{
    for (int i = STATUS_PASSED; i <= STATUS_ERROR; i++)
        cr_assert_eq(util_enum_value(check_status_names, check_status_name((enum check_status)i)), i);
    for (int i = BUILD_OK; i <= BUILD_ERROR; i++)
        cr_assert_eq(util_enum_value(build_status_names, build_status_name((enum build_status)i)), i);
    cr_assert_eq(util_enum_value(spec_visibility_names, "after_due_date"), VIS_AFTER_DUE_DATE);
    cr_assert_eq(util_enum_value(spec_level_names, "robustness"), LEVEL_ROBUSTNESS);
    cr_assert_str_eq(check_status_name(STATUS_SKIPPED), "skipped");
    cr_assert_str_eq(build_status_name(BUILD_OK), "ok");
    cr_assert_str_eq(check_status_name((enum check_status)42), "?");
    cr_assert_str_eq(build_status_name((enum build_status)-1), "?");
    cr_assert_str_eq(check_status_name((enum check_status)(STATUS_ERROR + 1)), "?",
                     "the table's end is not a name");
    cr_assert_eq(util_enum_value(check_status_names, "PASSED"), -1);
    cr_assert_eq(util_enum_value(check_status_names, ""), -1);
    cr_assert_eq(util_enum_value(spec_level_names, NULL), -1);
}

static void run_free(struct run_result *r)
{
    result_run_free(r);
    free(r);
}

/* A run with two programs; checks' scores given as (score, max) pairs. */
static struct run_result *make_run(void)
{
    static const double pts[2][3][2] = { { { 1, 1 }, { 0, 3 }, { 2.5, 2.5 } },
                                         { { 0.5, 1 }, { 0, 0 }, { 4, 4 } } };
    struct run_result *r = xcalloc(1, sizeof(*r));
    r->nprograms = 2;
    r->programs = xcalloc(2, sizeof(*r->programs));
    for (size_t i = 0; i < 2; i++) {
        struct program_result *p = &r->programs[i];
        p->name = xasprintf("prog%zu", i);
        p->nchecks = 3;
        p->checks = xcalloc(3, sizeof(*p->checks));
        for (size_t j = 0; j < 3; j++) {
            p->checks[j].id = xasprintf("c%zu", j);
            p->checks[j].score = pts[i][j][0];
            p->checks[j].max_score = pts[i][j][1];
            p->checks[j].expected = xstrdup("x");
        }
    }
    return r;
}

Test(result, totals)
{
    struct run_result *r = make_run();
    r->programs[0].score = 99; /* stale values are replaced, not added to */
    result_total(r);
    cr_assert_float_eq(r->programs[0].score, 3.5, 1e-9);
    cr_assert_float_eq(r->programs[0].max_score, 6.5, 1e-9);
    cr_assert_float_eq(r->programs[1].score, 4.5, 1e-9);
    cr_assert_float_eq(r->programs[1].max_score, 5, 1e-9);
    cr_assert_float_eq(r->score, 8, 1e-9);
    cr_assert_float_eq(r->max_score, 11.5, 1e-9);
    run_free(r);
}

Test(result, exit_status)
{
    struct run_result *r = make_run();
    cr_assert_eq(result_exit_status(r), 0, "all passed (status 0 = passed)");
    r->programs[1].checks[2].status = STATUS_SKIPPED;
    cr_assert_eq(result_exit_status(r), 0, "a skipped check alone does not fail");
    r->programs[1].checks[1].status = STATUS_FAILED;
    cr_assert_eq(result_exit_status(r), 1);
    r->programs[1].checks[1].status = STATUS_ERROR;
    cr_assert_eq(result_exit_status(r), 2, "a check in status error is the grader's fault");
    r->programs[1].checks[1].status = STATUS_PASSED;
    r->programs[0].build.status = BUILD_ERROR;
    cr_assert_eq(result_exit_status(r), 2, "a build that could not run is the grader's fault");
    r->programs[0].build.status = BUILD_FAILED;
    cr_assert_eq(result_exit_status(r), 1);
    r->error = xstrdup("sandbox: mount /proc: Operation not permitted");
    cr_assert_eq(result_exit_status(r), 2);
    run_free(r);
}

Test(result, exit_status_nothing_found)
{
    struct run_result r = { .seed = 7 };
    r.sandbox = xstrdup("none");
    cr_assert_eq(result_exit_status(&r), 1);
    result_total(&r);
    cr_assert_float_eq(r.max_score, 0, 1e-9);
    /* The caller owns the struct (main keeps it on the stack): members freed, struct zeroed. */
    result_run_free(&r);
    cr_assert_null(r.sandbox);
    cr_assert_eq(r.seed, 0);
    result_run_free(NULL);
}

Test(result, free_elements_zero_them)
{
    struct check_result c = { .id = xstrdup("a"), .hint = xstrdup("b") };
    result_check_free(&c);
    cr_assert_null(c.id);
    cr_assert_null(c.hint);
    struct program_result p = { .name = xstrdup("p"), .nchecks = 1 };
    p.checks = xcalloc(1, sizeof(*p.checks));
    p.checks[0].actual = xstrdup("x");
    p.build.diagnostics = xstrdup("warning");
    result_program_free(&p);
    cr_assert_null(p.checks);
    cr_assert_eq(p.nchecks, 0);
}

Test(result, skip_reason)
{
    struct check_result c = { .status = STATUS_SKIPPED };
    cr_assert_str_eq(result_skip_reason(&c), "a check it depends on did not pass");
    c.actual = "skipped: the program did not compile";
    cr_assert_str_eq(result_skip_reason(&c), "the program did not compile", "no doubled label");
    c.actual = "not run: echo_line failed";
    cr_assert_str_eq(result_skip_reason(&c), "not run: echo_line failed");
}
