/* Tests of the runner pipe (grade_wire over result_json): a result crosses whole, statuses as
 * names; the grader keeps what it set from the spec; a bad document is refused with its JSON
 * path and leaves the grader's result as it was. */
#include <criterion/criterion.h>
#include <string.h>

#include "grade/grade_wire.h"
#include "util/util.h"

/* What the grader holds before the runner reports: the check as the spec describes it. */
static void spec_entry(struct check_result *c)
{
    memset(c, 0, sizeof *c);
    c->id = xstrdup("echo_line");
    c->description = xstrdup("echoes one line");
    c->level = LEVEL_ROBUSTNESS;
    c->visibility = VIS_HIDDEN;
    c->max_score = 3;
    c->status = STATUS_ERROR;
}

/* What a runner reports for it. */
static void runner_verdict(struct check_result *c)
{
    spec_entry(c);
    c->status = STATUS_SKIPPED;
    c->score = 0.1 + 0.2;
    c->expected = xstrdup("hello\n");
    c->actual = xstrdup("a\x1b[2J\xC2\x9B \xED\x95\x9C");
    c->duration_ms = 9007199254740991;
}

Test(wire, check_crosses_whole_with_status_names)
{
    char err[UTIL_ERRLEN] = "";
    struct check_result sent, got;
    runner_verdict(&sent);
    spec_entry(&got);
    char *json = wire_check_encode(&sent);
    cr_assert_null(strchr(json, '\n'), "one line: %s", json);
    cr_assert(strstr(json, "\"status\":\"skipped\""), "%s", json);
    cr_assert(strstr(json, "\"level\":\"robustness\""), "%s", json);
    cr_assert(strstr(json, "\\u009b"), "C1 escaped: %s", json);
    cr_assert_eq(wire_check_decode(json, &got, err, sizeof err), 0, "%s", err);
    cr_assert_eq(got.status, STATUS_SKIPPED);
    cr_assert_eq(got.score, 0.1 + 0.2, "the score reads back as the same double");
    cr_assert_str_eq(got.expected, "hello\n");
    cr_assert_str_eq(got.actual, sent.actual);
    cr_assert_null(got.hint);
    cr_assert_eq(got.duration_ms, 9007199254740991);
    cr_assert_str_eq(got.id, "echo_line");
    cr_assert_eq(got.max_score, 3);
    cr_assert_eq(got.visibility, VIS_HIDDEN);
    free(json);
    result_check_free(&sent);
    result_check_free(&got);
}

Test(wire, grader_keeps_what_the_spec_set)
{
    char err[UTIL_ERRLEN] = "";
    struct check_result sent, got;
    runner_verdict(&sent);
    free(sent.id);
    sent.id = xstrdup("other");
    sent.max_score = 100;
    spec_entry(&got);
    char *json = wire_check_encode(&sent);
    cr_assert_eq(wire_check_decode(json, &got, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(got.id, "echo_line");
    cr_assert_eq(got.max_score, 3, "a runner does not set the points");
    free(json);
    result_check_free(&sent);
    result_check_free(&got);
}

static void assert_check_refused(const char *json, const char *want)
{
    char err[UTIL_ERRLEN] = "";
    struct check_result c;
    spec_entry(&c);
    c.actual = xstrdup("before");
    cr_assert_eq(wire_check_decode(json, &c, err, sizeof err), -1, "decoded: %s", json);
    cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
    cr_assert_eq(c.status, STATUS_ERROR, "unchanged on error");
    cr_assert_str_eq(c.actual, "before", "unchanged on error");
    result_check_free(&c);
}

static char *replaced(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    cr_assert_not_null(at, "%s not in %s", from, s);
    return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

Test(wire, bad_check_refused_with_path)
{
    struct check_result sent;
    runner_verdict(&sent);
    char *good = wire_check_encode(&sent);
    struct { const char *from, *to, *want; } cases[] = {
        { "\"status\":\"skipped\"", "\"status\":2", "$.status: expected a string" },
        { "\"status\":\"skipped\"", "\"status\":\"SKIPPED\"",
          "$.status: expected passed, failed, skipped or error, got \"SKIPPED\"" },
        { "\"duration_ms\":9007199254740991", "\"duration_ms\":-1",
          "$.duration_ms: expected a non-negative integer" },
        { "\"duration_ms\":9007199254740991", "\"duration_ms\":9007199254740992",
          "$.duration_ms: expected a non-negative integer" },
        { "\"score\":0.30000000000000004", "\"score\":1e999", "$.score: expected a number" },
        { "\"hint\":null,", "", "$.hint: missing" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *bad = replaced(good, cases[i].from, cases[i].to);
        assert_check_refused(bad, cases[i].want);
        free(bad);
    }
    char *cut = xstrndup(good, strlen(good) / 2);
    assert_check_refused(cut, "not valid JSON");
    assert_check_refused("", "not valid JSON (at byte 0)");
    assert_check_refused("[]", "$: expected an object");
    free(cut);
    free(good);
    result_check_free(&sent);
}

Test(wire, build_crosses_whole)
{
    char err[UTIL_ERRLEN] = "";
    struct build_result sent = { BUILD_FAILED, xstrdup("gcc x.c"), xstrdup("x.c:1: error"), 52 };
    struct build_result got = { BUILD_OK, xstrdup("old"), NULL, 0 };
    char *json = wire_build_encode(&sent);
    cr_assert(strstr(json, "\"status\":\"failed\""), "%s", json);
    cr_assert_eq(wire_build_decode(json, &got, err, sizeof err), 0, "%s", err);
    cr_assert_eq(got.status, BUILD_FAILED);
    cr_assert_str_eq(got.command, "gcc x.c");
    cr_assert_str_eq(got.diagnostics, "x.c:1: error");
    cr_assert_eq(got.duration_ms, 52);
    char *bad = replaced(json, "\"failed\"", "\"broken\"");
    cr_assert_eq(wire_build_decode(bad, &got, err, sizeof err), -1);
    cr_assert(strstr(err, "$.status: expected ok, failed or error, got \"broken\""), "%s", err);
    cr_assert_eq(got.status, BUILD_FAILED, "unchanged on error");
    cr_assert_str_eq(got.command, "gcc x.c", "unchanged on error");
    free(bad);
    free(json);
    free(sent.command);
    free(sent.diagnostics);
    free(got.command);
    free(got.diagnostics);
}
