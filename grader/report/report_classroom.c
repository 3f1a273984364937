/* report_classroom: the result GitHub Classroom's autograding reporter reads
 * (classroom-resources/autograding-grading-reporter: src/main.js decodes the base64 JSON of the
 * environment variable <STEP ID>_RESULTS for each step named in its `runners` input;
 * src/notify-classroom.js posts "Points <sum of tests[].score>/<max_score>" unless max_score
 * is 0): { version, status "pass"|"fail"|"error", max_score, tests[] }, each test with name,
 * status, score, max_score and message. docs/report-format.md has the mapping. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "result/result_json.h"
#include "util/util.h"

/* Each rendering cuts expected, actual and compiler output shorter until the document fits:
 * 0 keeps them as stored (at most RESULT_TEXT_CAP bytes each). */
static const size_t cr_caps[] = { 0, 512, 96, 16 };

struct cr_doc {
    cJSON *tests;
    double max_score;   /* the sum of the tests' max_score: what the reporter divides by */
    size_t cap;
};

static void cr_str(cJSON *o, const char *key, const char *s)
{
    char *t = result_utf8_repair(s ? s : "");
    cJSON_AddStringToObject(o, key, t);
    free(t);
}

static void cr_test(struct cr_doc *d, const char *name, const char *status, double score,
                    double max_score, const char *message)
{
    cJSON *t = cJSON_CreateObject();
    if (!t)
        util_out_of_memory("building the classroom report");
    cr_str(t, "name", name);
    cJSON_AddStringToObject(t, "status", status);
    cJSON_AddNumberToObject(t, "score", score);
    cJSON_AddNumberToObject(t, "max_score", max_score);
    cr_str(t, "message", message);
    /* The reporter's log prints "<name> - line <line_no>" unless line_no is 0. */
    cJSON_AddNumberToObject(t, "line_no", 0);
    cJSON_AddItemToArray(d->tests, t);
    d->max_score += max_score;
}

static const char *cr_check_status(enum check_status s)
{
    switch (s) {
    case STATUS_PASSED:
        return "pass";
    case STATUS_ERROR:
        return "error";
    default:
        return "fail"; /* failed, or skipped: not passed either way */
    }
}

static void cr_check(struct cr_doc *d, const struct program_result *p, const struct check_result *c)
{
    char *name = xasprintf("%s: %s%s", p->name ? p->name : "", c->id ? c->id : "",
                           c->level == LEVEL_ROBUSTNESS ? " (robustness)" : "");
    char *msg = report_check_message(c, true, d->cap);
    cr_test(d, name, cr_check_status(c->status), c->score, c->max_score, msg);
    free(msg);
    free(name);
}

/* A program that did not build: its checks follow, skipped at 0 of their points; this test of
 * its own (worth nothing) carries the compiler's words. */
static void cr_build(struct cr_doc *d, const struct program_result *p)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s did not build\n", p->source ? p->source : p->name ? p->name : "the program");
    if (p->build.command)
        strbuf_addf(&sb, "$ %s\n", p->build.command);
    if (p->build.diagnostics && *p->build.diagnostics) {
        char *cut = d->cap ? result_text(p->build.diagnostics, strlen(p->build.diagnostics), d->cap)
                           : xstrdup(p->build.diagnostics);
        strbuf_addstr(&sb, cut);
        free(cut);
    }
    char *name = xasprintf("%s: build", p->name ? p->name : "");
    char *msg = strbuf_detach(&sb);
    cr_test(d, name, p->build.status == BUILD_ERROR ? "error" : "fail", 0, 0, msg);
    free(msg);
    free(name);
}

/* A missing program counts what its spec offers, all lost: deleting a file must not raise
 * the share of the points a student gets. */
static void cr_missing(struct cr_doc *d, const struct run_result *r, size_t i)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s.c was not found\n", r->missing[i]);
    for (size_t k = 0; k < r->nnear_misses; k++)
        if (r->near_misses[k].program && strcmp(r->near_misses[k].program, r->missing[i]) == 0)
            strbuf_addf(&sb, "found %s: did you mean %s.c?\n", r->near_misses[k].file, r->missing[i]);
    char *name = xasprintf("%s: missing", r->missing[i]);
    char *msg = strbuf_detach(&sb);
    cr_test(d, name, "fail", 0, r->missing_max ? r->missing_max[i] : 0, msg);
    free(msg);
    free(name);
}

/* pass only when every check passed and nothing is missing; error when the grader failed
 * (a check it could not run included): the reporter then fails the job with "errored". */
static const char *cr_run_status(const struct run_result *r)
{
    int rc = result_exit_status(r);
    if (rc == 2)
        return "error";
    return rc == 1 || r->nmissing ? "fail" : "pass";
}

static char *cr_render(const struct run_result *r, size_t cap)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        util_out_of_memory("building the classroom report");
    struct cr_doc d = { .cap = cap };
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddStringToObject(root, "status", cr_run_status(r));
    cJSON *max = cJSON_AddNumberToObject(root, "max_score", 0);
    d.tests = cJSON_AddArrayToObject(root, "tests");
    if (!max || !d.tests)
        util_out_of_memory("building the classroom report");
    if (r->error) {
        char *msg = xasprintf("The grader failed (not your fault): %s\n", r->error);
        cr_test(&d, "sockgrade: grader error", "error", 0, 0, msg);
        free(msg);
    }
    for (size_t i = 0; i < r->nprograms; i++) {
        if (r->programs[i].build.status != BUILD_OK)
            cr_build(&d, &r->programs[i]);
        for (size_t j = 0; j < r->programs[i].nchecks; j++)
            cr_check(&d, &r->programs[i], &r->programs[i].checks[j]);
    }
    for (size_t i = 0; i < r->nmissing; i++)
        cr_missing(&d, r, i);
    cJSON_SetNumberValue(max, d.max_score);

    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        util_out_of_memory("printing the classroom report");
    char *escaped = result_json_escape_c1(text);
    cJSON_free(text);
    char *doc = xasprintf("%s\n", escaped);
    free(escaped);
    return doc;
}

char *report_classroom(const struct run_result *r)
{
    size_t n = sizeof cr_caps / sizeof cr_caps[0];
    char *doc = cr_render(r, cr_caps[0]);
    for (size_t i = 1; i < n && strlen(doc) > REPORT_CLASSROOM_MAX; i++) {
        free(doc);
        doc = cr_render(r, cr_caps[i]);
    }
    return doc;
}
