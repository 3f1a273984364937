/* report_samples: the run results the report-writer tests share (a typical run, a run full
 * of hostile bytes) and the assertions they share. Helpers are static inline so each test file
 * uses only what it needs. */
#ifndef SOCKGRADE_TEST_REPORT_SAMPLES_H
#define SOCKGRADE_TEST_REPORT_SAMPLES_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "report/report.h"
#include "result/result_json.h"
#include "util/util.h"

/* ---- fixtures --------------------------------------------------------------------------- */

static inline void set_check(struct check_result *c, const char *id, const char *desc,
                      enum check_status s, double score, double max)
{
    c->id = xstrdup(id);
    c->description = xstrdup(desc);
    c->status = s;
    c->score = score;
    c->max_score = max;
    c->duration_ms = 12;
}

/* tcp_echocli built, with a pass, a failure, a skipped robustness check, a hidden and an
 * after-due-date failure; udp_echocli failed to build; get_host_byaddr missing. */
static inline struct run_result *sample(void)
{
    struct run_result *r = xcalloc(1, sizeof(*r));
    r->seed = UINT64_MAX;
    r->sandbox = xstrdup("namespaces");
    r->grader_version = xstrdup("0.1.0");
    r->submission = xstrdup("subs/kim");
    r->duration_ms = 1234;
    r->nprograms = 2;
    r->programs = xcalloc(2, sizeof(*r->programs));

    struct program_result *p = &r->programs[0];
    p->name = xstrdup("tcp_echocli");
    p->source = xstrdup("tcp_echocli.c");
    p->build.command = xstrdup("gcc -o tcp_echocli tcp_echocli.c");
    p->build.diagnostics = xstrdup("");
    p->build.duration_ms = 300;
    p->nchecks = 5;
    p->checks = xcalloc(5, sizeof(*p->checks));
    set_check(&p->checks[0], "compiles", "builds without warnings", STATUS_PASSED, 1, 1);
    set_check(&p->checks[1], "echo_line", "echoes one line", STATUS_FAILED, 0, 3);
    p->checks[1].expected = xstrdup("hello world\n");
    p->checks[1].actual = xstrdup("hello\n");
    p->checks[1].hint = xstrdup("read() may return fewer bytes");
    set_check(&p->checks[2], "echo_pieces", "reply in pieces", STATUS_SKIPPED, 0, 2);
    p->checks[2].level = LEVEL_ROBUSTNESS;
    p->checks[2].actual = xstrdup("not run: echo_line failed");
    set_check(&p->checks[3], "secret", "hidden <&\"> one", STATUS_FAILED, 0, 2);
    p->checks[3].visibility = VIS_HIDDEN;
    p->checks[3].expected = xstrdup("SECRET-EXPECTED");
    p->checks[3].actual = xstrdup("SECRET-ACTUAL");
    p->checks[3].hint = xstrdup("SECRET-HINT");
    set_check(&p->checks[4], "later", "after the due date", STATUS_FAILED, 0, 1);
    p->checks[4].visibility = VIS_AFTER_DUE_DATE;
    p->checks[4].expected = xstrdup("LATER-EXPECTED");

    p = &r->programs[1];
    p->name = xstrdup("udp_echocli");
    p->source = xstrdup("udp_echocli.c");
    p->build.status = BUILD_FAILED;
    p->build.command = xstrdup("gcc -o udp_echocli udp_echocli.c");
    p->build.diagnostics = xstrdup("udp_echocli.c:3:1: error: expected ';'\n    3 | int x\n");
    p->nchecks = 1;
    p->checks = xcalloc(1, sizeof(*p->checks));
    set_check(&p->checks[0], "sends", "sends a datagram", STATUS_SKIPPED, 0, 2);
    p->checks[0].actual = xstrdup("not run: the build failed");

    r->nmissing = 1;
    r->missing = xcalloc(1, sizeof(*r->missing));
    r->missing[0] = xstrdup("get_host_byaddr");
    r->nnear_misses = 1;
    r->near_misses = xcalloc(1, sizeof(*r->near_misses));
    r->near_misses[0].file = xstrdup("get_hostbyaddr.c");
    r->near_misses[0].program = xstrdup("get_host_byaddr");
    result_total(r);
    return r;
}

static inline void run_free(struct run_result *r)
{
    result_run_free(r);
    free(r);
}

/* Raw hostile bytes put straight into the model, bypassing result_text. */
static const char hostile[] = "a\x1b[2J\x1b]0;pwned\x07<&\"'>\x01\x7f\r\t\xC2\x9B\xE2\x80\xAE"
                              "\xFF\xC0\xAF\xED\xA0\x80 end";

static inline struct run_result *hostile_sample(void)
{
    struct run_result *r = sample();
    struct check_result *c = &r->programs[0].checks[1];
    free(c->actual);
    c->actual = xstrdup(hostile);
    free(c->description);
    c->description = xstrdup(hostile);
    free(r->near_misses[0].file);
    r->near_misses[0].file = xstrdup(hostile);
    free(r->programs[1].build.diagnostics);
    r->programs[1].build.diagnostics = xstrdup(hostile);
    return r;
}

/* An independent UTF-8 validator (Unicode Table 3-7), so the writers are not judged by the
 * decoder they use themselves. */
static inline bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n = c < 0x80 ? 0 : c < 0xC2 ? 9 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : c < 0xF5 ? 3 : 9;
        if (n == 9)
            return false;
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        for (unsigned i = 1; i <= n; i++, lo = 0x80, hi = 0xBF)
            if (s[i] < lo || s[i] > hi)
                return false;
        s += n + 1;
    }
    return true;
}

static inline bool has_raw_control(const char *s, const char *allowed)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 || *p == 0x7F) && !strchr(allowed, *p))
            return true;
    return false;
}

/* ---- native JSON ------------------------------------------------------------------------ */

static inline void assert_members(const cJSON *o, const char *const *keys, const char *where)
{
    for (size_t i = 0; keys[i]; i++)
        cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(o, keys[i]), "%s lacks %s", where,
                           keys[i]);
}


#endif
