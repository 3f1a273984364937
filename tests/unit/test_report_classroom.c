/* Tests of the classroom format (GitHub Classroom's autograding reporter): its field names and
 * statuses, one test per check with its points, the message a student reads, hidden checks,
 * and the total the reporter computes, which must equal the native report's score. */
#include "report_samples.h"

#include <criterion/parameterized.h>

/* The reporter's arithmetic (classroom-resources/autograding-grading-reporter,
 * src/notify-classroom.js, NotifyClassroom): a runner whose max_score is 0 or absent is left
 * out; otherwise its max_score is added to the maximum and every tests[].score to the points.
 * Classroom is then told "Points <points>/<maximum>". One runner here: sockgrade's step. */
static void reporter_total(const cJSON *root, double *points, double *max)
{
    *points = 0;
    *max = 0;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "max_score");
    if (!cJSON_IsNumber(m) || m->valuedouble == 0)
        return;
    *max += m->valuedouble;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "tests"))
        *points += cJSON_GetObjectItemCaseSensitive(t, "score")->valuedouble;
}

static cJSON *render(const struct run_result *r, char **doc)
{
    *doc = report_classroom(r);
    cJSON *root = cJSON_Parse(*doc);
    cr_assert_not_null(root, "not JSON: %.200s", *doc);
    return root;
}

static const cJSON *test_named(const cJSON *root, const char *name)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "tests"))
        if (strcmp(cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring, name) == 0)
            return t;
    cr_assert_fail("no test named %s", name);
    return NULL;
}

static const char *message_of(const cJSON *root, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(test_named(root, name), "message")->valuestring;
}

/* sample() with the points its missing program's spec would offer. */
static struct run_result *sample_with_missing_points(void)
{
    struct run_result *r = sample();
    r->missing_max = xcalloc(1, sizeof *r->missing_max);
    r->missing_max[0] = 4;
    return r;
}

Test(report_classroom, fields_statuses_and_points_per_check)
{
    static const char *const top[] = { "version", "status", "max_score", "tests", NULL };
    static const char *const fields[] = { "name", "status", "score", "max_score", "message", NULL };
    static const struct { const char *name, *status; double score, max; } want[] = {
        { "tcp_echocli: compiles", "pass", 1, 1 },
        { "tcp_echocli: echo_line", "fail", 0, 3 },
        { "tcp_echocli: echo_pieces (robustness)", "fail", 0, 2 },
        { "tcp_echocli: secret", "fail", 0, 2 },
        { "tcp_echocli: later", "fail", 0, 1 },
        { "udp_echocli: build", "fail", 0, 0 },
        { "udp_echocli: sends", "fail", 0, 2 },
        { "get_host_byaddr: missing", "fail", 0, 4 },
    };
    struct run_result *r = sample_with_missing_points();
    char *doc;
    cJSON *root = render(r, &doc);
    assert_members(root, top, "classroom result");
    cr_assert_eq(cJSON_GetObjectItem(root, "version")->valuedouble, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "status")->valuestring, "fail");
    cr_assert_float_eq(cJSON_GetObjectItem(root, "max_score")->valuedouble, 15, 1e-9);
    const cJSON *tests = cJSON_GetObjectItem(root, "tests");
    cr_assert_eq(cJSON_GetArraySize(tests), (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < cJSON_GetArraySize(tests); i++) {
        const cJSON *t = cJSON_GetArrayItem(tests, i);
        assert_members(t, fields, "test");
        cr_assert_str_eq(cJSON_GetObjectItem(t, "name")->valuestring, want[i].name);
        cr_assert_str_eq(cJSON_GetObjectItem(t, "status")->valuestring, want[i].status, "%s", want[i].name);
        cr_assert_eq(cJSON_GetObjectItem(t, "score")->valuedouble, want[i].score, "%s", want[i].name);
        cr_assert_eq(cJSON_GetObjectItem(t, "max_score")->valuedouble, want[i].max, "%s", want[i].name);
        cr_assert_eq(cJSON_GetObjectItem(t, "line_no")->valuedouble, 0);
    }
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

Test(report_classroom, message_has_expected_actual_and_hint)
{
    struct run_result *r = sample_with_missing_points();
    char *doc;
    cJSON *root = render(r, &doc);
    const char *m = message_of(root, "tcp_echocli: echo_line");
    cr_assert(strstr(m, "echoes one line\n"), "%s", m);
    cr_assert(strstr(m, "expected: hello world⏎"), "%s", m);
    cr_assert(strstr(m, "actual:   hello⏎"), "%s", m);
    cr_assert(strstr(m, "hint:     read() may return fewer bytes"), "%s", m);
    m = message_of(root, "tcp_echocli: echo_pieces (robustness)");
    cr_assert(strstr(m, "skipped: not run: echo_line failed"), "%s", m);
    m = message_of(root, "udp_echocli: build");
    cr_assert(strstr(m, "$ gcc -o udp_echocli udp_echocli.c\n"), "%s", m);
    cr_assert(strstr(m, "udp_echocli.c:3:1: error: expected ';'"), "%s", m);
    m = message_of(root, "get_host_byaddr: missing");
    cr_assert(strstr(m, "get_host_byaddr.c was not found"), "%s", m);
    cr_assert(strstr(m, "found get_hostbyaddr.c: did you mean get_host_byaddr.c?"), "%s", m);
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

/* Whoever can read the workflow's log can read the result: hidden checks keep only their
 * name, status and points, as in the student view of the text report. */
Test(report_classroom, hidden_checks_show_only_name_status_and_points)
{
    struct run_result *r = sample_with_missing_points();
    char *doc;
    cJSON *root = render(r, &doc);
    cr_assert_null(strstr(doc, "SECRET"), "%s", doc);
    cr_assert_null(strstr(doc, "LATER-EXPECTED"), "%s", doc);
    cr_assert_null(strstr(doc, "hidden <&"), "the description is hidden too");
    cr_assert_str_eq(message_of(root, "tcp_echocli: secret"), "(hidden check)\n");
    cr_assert_str_eq(message_of(root, "tcp_echocli: later"), "(details after the due date)\n");
    cr_assert_eq(cJSON_GetObjectItem(test_named(root, "tcp_echocli: secret"), "max_score")->valuedouble, 2);
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

/* ---- the reporter's total against the native score --------------------------------------- */

static struct run_result *all_passed(void)
{
    struct run_result *r = sample();
    struct program_result *p = &r->programs[0];
    for (size_t i = 0; i < p->nchecks; i++) {
        p->checks[i].status = STATUS_PASSED;
        p->checks[i].score = p->checks[i].max_score;
    }
    p = &r->programs[1];
    p->build.status = BUILD_OK;
    p->checks[0].status = STATUS_PASSED;
    p->checks[0].score = 2;
    free(r->missing[0]);
    r->nmissing = 0;
    result_total(r);
    return r;
}

/* Fractions that add up exactly in any order, as the reporter (JavaScript, test order) and
 * result_total (per program, then per run) add them in different orders. */
static struct run_result *fractional(void)
{
    struct run_result *r = sample_with_missing_points();
    r->programs[0].checks[0].score = 0.25;
    r->programs[0].checks[0].max_score = 0.5;
    r->programs[0].checks[1].status = STATUS_PASSED;
    r->programs[0].checks[1].score = 2.75;
    r->missing_max[0] = 1.125;
    result_total(r);
    return r;
}

static struct run_result *grader_error(void)
{
    struct run_result *r = sample_with_missing_points();
    r->error = xstrdup("sandbox: mount /proc: Operation not permitted");
    return r;
}

static struct run_result *check_error(void)
{
    struct run_result *r = all_passed();
    r->programs[0].checks[1].status = STATUS_ERROR;
    r->programs[0].checks[1].score = 0;
    free(r->programs[0].checks[1].actual);
    r->programs[0].checks[1].actual = xstrdup("runner killed by signal 9");
    result_total(r);
    return r;
}

/* Nothing submitted: no program found, every listed program missing. */
static struct run_result *nothing_found(void)
{
    struct run_result *r = xcalloc(1, sizeof *r);
    r->nmissing = 2;
    r->missing = xcalloc(2, sizeof *r->missing);
    r->missing[0] = xstrdup("tcp_echocli");
    r->missing[1] = xstrdup("tcp_echoserv");
    r->missing_max = xcalloc(2, sizeof *r->missing_max);
    r->missing_max[0] = 7;
    r->missing_max[1] = 9;
    result_total(r);
    return r;
}

/* By number, not by function pointer: Criterion may run each parameter in a new process. */
enum total_kind { T_SAMPLE, T_ALL_PASSED, T_FRACTIONAL, T_GRADER_ERROR, T_CHECK_ERROR, T_NOTHING };

static struct run_result *make_run(enum total_kind k)
{
    switch (k) {
    case T_ALL_PASSED:
        return all_passed();
    case T_FRACTIONAL:
        return fractional();
    case T_GRADER_ERROR:
        return grader_error();
    case T_CHECK_ERROR:
        return check_error();
    case T_NOTHING:
        return nothing_found();
    default:
        return sample_with_missing_points();
    }
}

struct total_case {
    enum total_kind kind;
    char status[8];
    double points, max; /* what Classroom is told */
};

static struct total_case total_cases[] = {
    { T_SAMPLE, "fail", 1, 15 },           /* a failed build, a missing program, hidden checks */
    { T_ALL_PASSED, "pass", 11, 11 },
    { T_FRACTIONAL, "fail", 3, 11.625 },
    { T_GRADER_ERROR, "error", 1, 15 },
    { T_CHECK_ERROR, "error", 8, 11 },
    { T_NOTHING, "fail", 0, 16 },
};

ParameterizedTestParameters(report_classroom, reporter_total_equals_native_score)
{
    return cr_make_param_array(struct total_case, total_cases, sizeof total_cases / sizeof total_cases[0]);
}

ParameterizedTest(struct total_case *c, report_classroom, reporter_total_equals_native_score)
{
    struct run_result *r = make_run(c->kind);
    char *doc;
    cJSON *root = render(r, &doc);
    double points, max, missing = 0;
    reporter_total(root, &points, &max);
    for (size_t i = 0; i < r->nmissing; i++)
        missing += r->missing_max[i];
    cr_assert_eq(points, r->score, "reporter %g, native %g", points, r->score);
    cr_assert_eq(max, r->max_score + missing, "reporter max %g, native %g + missing %g", max,
                 r->max_score, missing);
    cr_assert_eq(points, c->points);
    cr_assert_eq(max, c->max);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "status")->valuestring, c->status);
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

Test(report_classroom, grader_error_is_a_test_of_its_own)
{
    struct run_result *r = grader_error();
    char *doc;
    cJSON *root = render(r, &doc);
    const cJSON *t = test_named(root, "sockgrade: grader error");
    cr_assert_str_eq(cJSON_GetObjectItem(t, "status")->valuestring, "error");
    cr_assert_eq(cJSON_GetObjectItem(t, "max_score")->valuedouble, 0);
    cr_assert(strstr(cJSON_GetObjectItem(t, "message")->valuestring, "not your fault"));
    cr_assert(strstr(cJSON_GetObjectItem(t, "message")->valuestring, "mount /proc"));
    cJSON_Delete(root);
    free(doc);
    run_free(r);

    r = check_error();
    root = render(r, &doc);
    t = test_named(root, "tcp_echocli: echo_line");
    cr_assert_str_eq(cJSON_GetObjectItem(t, "status")->valuestring, "error");
    cr_assert(strstr(cJSON_GetObjectItem(t, "message")->valuestring, "grader error (not your fault)"));
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

/* The reporter reads the result from one environment variable, base64-encoded, and Linux
 * refuses a single one above 128 KiB: a run full of long outputs is shortened to fit, and
 * still adds up. */
Test(report_classroom, long_outputs_are_shortened_to_fit)
{
    struct run_result *r = sample_with_missing_points();
    struct program_result *p = &r->programs[0];
    char big[RESULT_TEXT_CAP + 1];
    memset(big, 'x', RESULT_TEXT_CAP);
    big[RESULT_TEXT_CAP] = '\0';
    result_program_free(p);
    p->name = xstrdup("tcp_echocli");
    p->nchecks = 80;
    p->checks = xcalloc(p->nchecks, sizeof *p->checks);
    for (size_t i = 0; i < p->nchecks; i++) {
        char id[32];
        snprintf(id, sizeof id, "check_%zu", i);
        set_check(&p->checks[i], id, "a check", i % 2 ? STATUS_FAILED : STATUS_PASSED, i % 2 ? 0 : 1, 1);
        p->checks[i].expected = xstrdup(big);
        p->checks[i].actual = xstrdup(big);
    }
    result_total(r);
    char *doc;
    cJSON *root = render(r, &doc);
    cr_assert_leq(strlen(doc), REPORT_CLASSROOM_MAX, "%zu bytes", strlen(doc));
    cr_assert(strstr(message_of(root, "tcp_echocli: check_1"), "bytes more]"));
    double points, max;
    reporter_total(root, &points, &max);
    cr_assert_eq(points, r->score);
    cr_assert_eq(points, 40);
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}

Test(report_classroom, hostile_text_stays_valid_json_without_raw_controls)
{
    struct run_result *r = hostile_sample();
    char *doc = report_classroom(r);
    cr_assert(valid_utf8((const unsigned char *)doc));
    /* JSON lets DEL stand raw; everything below 0x20 must be escaped. */
    cr_assert_not(has_raw_control(doc, "\n\x7f"));
    cr_assert_null(strstr(doc, "\xC2\x9B"), "C1 CSI must be escaped");
    cJSON *root = cJSON_Parse(doc);
    cr_assert_not_null(root);
    cJSON_Delete(root);
    free(doc);
    run_free(r);
}
