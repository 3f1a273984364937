/* report_gradescope: Gradescope's autograder results.json, as its "Autograder Specifications"
 * page describes it (gradescope-autograders.readthedocs.io/en/latest/specs/): top-level score,
 * execution_time (seconds), output, visibility, stdout_visibility, extra_data and tests[];
 * each test with name, number, score, max_score, status ("passed"|"failed"), output, tags and
 * visibility ("visible"|"hidden"|"after_due_date"|"after_published"). There is no top-level
 * max_score: Gradescope takes the total from the assignment's settings. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "result/result_json.h"
#include "util/util.h"

/* A string member in repaired UTF-8 ("" for NULL: Gradescope has no use for nulls). */
static void gs_str(cJSON *o, const char *key, const char *s)
{
    char *t = result_utf8_repair(s ? s : "");
    cJSON_AddStringToObject(o, key, t);
    free(t);
}

static const char *gs_visibility(enum spec_visibility v)
{
    switch (v) {
    case VIS_HIDDEN:
        return "hidden";
    case VIS_AFTER_DUE_DATE:
        return "after_due_date";
    default:
        return "visible";
    }
}

static cJSON *gs_test(const struct program_result *p, size_t pi, size_t ci)
{
    const struct check_result *c = &p->checks[ci];
    cJSON *o = cJSON_CreateObject();
    char buf[48];

    char *name = xasprintf("%s: %s%s", p->name ? p->name : "", c->id ? c->id : "",
                           c->level == LEVEL_ROBUSTNESS ? " (robustness)" : "");
    gs_str(o, "name", name);
    free(name);
    snprintf(buf, sizeof(buf), "%zu.%zu", pi + 1, ci + 1);
    cJSON_AddStringToObject(o, "number", buf);
    cJSON_AddNumberToObject(o, "score", c->score);
    cJSON_AddNumberToObject(o, "max_score", c->max_score);
    /* Gradescope knows only passed and failed: a skipped or errored check did not pass. */
    cJSON_AddStringToObject(o, "status", c->status == STATUS_PASSED ? "passed" : "failed");
    char *out = report_check_message(c, false, 0);
    gs_str(o, "output", out);
    free(out);
    cJSON *tags = cJSON_AddArrayToObject(o, "tags");
    if (tags) {
        char *t = result_utf8_repair(p->name ? p->name : "");
        cJSON_AddItemToArray(tags, cJSON_CreateString(t));
        cJSON_AddItemToArray(tags, cJSON_CreateString(spec_level_name(c->level)));
        free(t);
    }
    cJSON_AddStringToObject(o, "visibility", gs_visibility(c->visibility));
    return o;
}

static void gs_build_output(struct strbuf *sb, const struct program_result *p)
{
    if (p->build.status == BUILD_OK)
        return;
    const char *file = p->source ? p->source : p->name ? p->name : "the program";
    strbuf_addf(sb, "%s did not build (%s):\n", file, build_status_name(p->build.status));
    if (p->build.command)
        strbuf_addf(sb, "$ %s\n", p->build.command);
    if (p->build.diagnostics && *p->build.diagnostics) {
        strbuf_addstr(sb, p->build.diagnostics);
        if (p->build.diagnostics[strlen(p->build.diagnostics) - 1] != '\n')
            strbuf_addstr(sb, "\n");
    }
    strbuf_addstr(sb, "\n");
}

/* The top-level output: what concerns the whole submission rather than one test. */
static char *gs_output(const struct run_result *r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    if (r->error)
        strbuf_addf(&sb, "The grader failed (not your fault): %s\n\n", r->error);
    for (size_t i = 0; i < r->nprograms; i++)
        gs_build_output(&sb, &r->programs[i]);
    for (size_t i = 0; i < r->nmissing; i++)
        strbuf_addf(&sb, "missing: %s.c was not found\n", r->missing[i]);
    for (size_t i = 0; i < r->nnear_misses; i++)
        strbuf_addf(&sb, "found %s: did you mean %s.c?\n", r->near_misses[i].file,
                    r->near_misses[i].program);
    if (r->nprograms == 0)
        strbuf_addstr(&sb, "No lecture program was found in the submission.\n");
    strbuf_addf(&sb, "score %.10g/%.10g (seed %llu, sandbox %s)\n", r->score, r->max_score,
                (unsigned long long)r->seed, r->sandbox ? r->sandbox : "unknown");
    return strbuf_detach(&sb);
}

static void gs_extra(cJSON *root, const struct run_result *r)
{
    char seed[24];
    cJSON *x = cJSON_AddObjectToObject(root, "extra_data");
    if (!x)
        return;
    cJSON_AddStringToObject(x, "schema", RESULT_SCHEMA);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
    cJSON_AddStringToObject(x, "seed", seed);
    gs_str(x, "sandbox", r->sandbox);
    gs_str(x, "grader_version", r->grader_version);
    cJSON_AddNumberToObject(x, "max_score", r->max_score);
}

char *report_gradescope(const struct run_result *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        util_out_of_memory("building the Gradescope report");
    cJSON_AddNumberToObject(root, "score", r->score);
    cJSON_AddNumberToObject(root, "execution_time", (double)((r->duration_ms + 999) / 1000));
    char *out = gs_output(r);
    gs_str(root, "output", out);
    free(out);
    /* Everything here is plain text: student bytes must never be read as HTML or Markdown. */
    cJSON_AddStringToObject(root, "output_format", "text");
    cJSON_AddStringToObject(root, "test_output_format", "text");
    cJSON_AddStringToObject(root, "test_name_format", "text");
    cJSON_AddStringToObject(root, "visibility", "visible");
    /* The grader's own stdout is for instructors debugging a run, not for students. */
    cJSON_AddStringToObject(root, "stdout_visibility", "hidden");
    gs_extra(root, r);
    cJSON *tests = cJSON_AddArrayToObject(root, "tests");
    for (size_t i = 0; tests && i < r->nprograms; i++)
        for (size_t j = 0; j < r->programs[i].nchecks; j++)
            cJSON_AddItemToArray(tests, gs_test(&r->programs[i], i, j));

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        util_out_of_memory("printing the Gradescope report");
    char *doc = result_json_escape_c1(text);
    cJSON_free(text);
    return doc;
}
