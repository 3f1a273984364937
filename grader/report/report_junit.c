/* report_junit: JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters). One
 * <testsuite> per program, one <testcase> per check; a failed build is an <error> testcase
 * named "build"; missing programs are skipped testcases of a "submission" suite, so CI shows
 * them without failing on them (the exit status decides that). XML 1.0 cannot carry most
 * control characters even as references, so they are spelled as "\xNN" text. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct junit_counts {
    size_t tests, failures, errors, skipped;
    int64_t ms;
};

/* Appends s as XML character data or an attribute value (attr: keep \t \n \r through
 * attribute-value normalisation by writing them as references). */
static void junit_escaped(struct strbuf *sb, const char *s, bool attr)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t bad = 0;
        size_t k = util_utf8_decode(s + i, n - i, &cp, &bad);
        i += k ? k : bad;
        if (!k || cp == 0xFFFE || cp == 0xFFFF) {
            strbuf_addstr(sb, "\xEF\xBF\xBD");
            continue;
        }
        switch (cp) {
        case '&': strbuf_addstr(sb, "&amp;"); break;
        case '<': strbuf_addstr(sb, "&lt;"); break;
        case '>': strbuf_addstr(sb, "&gt;"); break;
        case '"': strbuf_addstr(sb, "&quot;"); break;
        case '\'': strbuf_addstr(sb, "&apos;"); break;
        case '\t': strbuf_addstr(sb, attr ? "&#9;" : "\t"); break;
        case '\n': strbuf_addstr(sb, attr ? "&#10;" : "\n"); break;
        case '\r': strbuf_addstr(sb, "&#13;"); break; /* parsers turn a raw CR into LF */
        default:
            if (cp < 0x20 || cp == 0x7F)
                strbuf_addf(sb, "\\x%02x", (unsigned)cp);
            else if (cp >= 0x80 && cp <= 0x9F) /* C1: U+009B is CSI to some terminals */
                strbuf_addf(sb, "\\u%04x", (unsigned)cp);
            else
                strbuf_add(sb, s + i - k, k);
        }
    }
}

static void junit_attr(struct strbuf *sb, const char *name, const char *value)
{
    strbuf_addf(sb, " %s=\"", name);
    junit_escaped(sb, value, true);
    strbuf_addstr(sb, "\"");
}

/* Seconds with three decimals, by integer arithmetic: printf's %f would follow a locale
 * that main may have set and write a decimal comma no JUnit reader accepts. */
static void junit_time(struct strbuf *sb, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    strbuf_addf(sb, " time=\"%lld.%03lld\"", (long long)(ms / 1000), (long long)(ms % 1000));
}

static void junit_counts_attrs(struct strbuf *sb, const struct junit_counts *c)
{
    strbuf_addf(sb, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", c->tests,
                c->failures, c->errors, c->skipped);
    junit_time(sb, c->ms);
}

static void junit_value(struct strbuf *sb, const char *label, const char *s)
{
    if (!s)
        return;
    char *v = report_text_value(s, "          ");
    strbuf_addstr(sb, label);
    junit_escaped(sb, *s ? v : "(empty)", false);
    strbuf_addstr(sb, "\n");
    free(v);
}

static void junit_open_case(struct strbuf *sb, const char *program, const char *name, int64_t ms)
{
    char *classname = xasprintf("sockgrade.%s", program ? program : "");
    strbuf_addstr(sb, "    <testcase");
    junit_attr(sb, "classname", classname);
    junit_attr(sb, "name", name ? name : "");
    junit_time(sb, ms);
    free(classname);
}

static void junit_check(struct strbuf *sb, const struct program_result *p,
                        const struct check_result *c)
{
    junit_open_case(sb, p->name, c->id, c->duration_ms);
    if (c->status == STATUS_PASSED) {
        strbuf_addstr(sb, "/>\n");
        return;
    }
    strbuf_addstr(sb, ">\n      ");
    if (c->status == STATUS_SKIPPED) {
        strbuf_addstr(sb, "<skipped");
        junit_attr(sb, "message", result_skip_reason(c));
        strbuf_addstr(sb, "/>\n    </testcase>\n");
        return;
    }
    const char *tag = c->status == STATUS_ERROR ? "error" : "failure";
    strbuf_addf(sb, "<%s", tag);
    junit_attr(sb, "message", c->description ? c->description : c->id);
    junit_attr(sb, "type", spec_level_name(c->level));
    strbuf_addstr(sb, ">");
    /* CI output is what students read: a hidden check keeps its details, as in the text. */
    if (c->visibility != VIS_VISIBLE) {
        strbuf_addstr(sb, c->visibility == VIS_HIDDEN ? "(hidden check)\n" : "(details after the due date)\n");
        strbuf_addf(sb, "</%s>\n    </testcase>\n", tag);
        return;
    }
    junit_value(sb, "expected: ", c->expected);
    junit_value(sb, "actual:   ", c->actual);
    if (c->hint) {
        strbuf_addstr(sb, "hint:     ");
        junit_escaped(sb, c->hint, false);
        strbuf_addstr(sb, "\n");
    }
    strbuf_addf(sb, "</%s>\n    </testcase>\n", tag);
}

static void junit_build(struct strbuf *sb, const struct program_result *p)
{
    junit_open_case(sb, p->name, "build", p->build.duration_ms);
    strbuf_addstr(sb, ">\n      <error");
    junit_attr(sb, "message", p->build.status == BUILD_FAILED ? "build failed" : "build error");
    junit_attr(sb, "type", "build");
    strbuf_addstr(sb, ">");
    if (p->build.command) {
        strbuf_addstr(sb, "$ ");
        junit_escaped(sb, p->build.command, false);
        strbuf_addstr(sb, "\n");
    }
    junit_escaped(sb, p->build.diagnostics, false);
    strbuf_addstr(sb, "</error>\n    </testcase>\n");
}

static void junit_property(struct strbuf *sb, const char *name, const char *value)
{
    strbuf_addstr(sb, "      <property");
    junit_attr(sb, "name", name);
    junit_attr(sb, "value", value ? value : "");
    strbuf_addstr(sb, "/>\n");
}

static void junit_program(struct strbuf *sb, const struct run_result *r,
                          const struct program_result *p, struct junit_counts *total)
{
    struct junit_counts c = { .ms = p->build.duration_ms };
    bool built = p->build.status == BUILD_OK;
    char seed[24];

    c.tests = p->nchecks + !built;
    c.errors = !built;
    for (size_t i = 0; i < p->nchecks; i++) {
        c.failures += p->checks[i].status == STATUS_FAILED;
        c.errors += p->checks[i].status == STATUS_ERROR;
        c.skipped += p->checks[i].status == STATUS_SKIPPED;
        c.ms += p->checks[i].duration_ms;
    }
    strbuf_addstr(sb, "  <testsuite");
    junit_attr(sb, "name", p->name ? p->name : "");
    junit_counts_attrs(sb, &c);
    strbuf_addstr(sb, ">\n    <properties>\n");
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
    junit_property(sb, "seed", seed);
    junit_property(sb, "sandbox", r->sandbox);
    junit_property(sb, "source", p->source);
    strbuf_addstr(sb, "    </properties>\n");
    if (!built)
        junit_build(sb, p);
    for (size_t i = 0; i < p->nchecks; i++)
        junit_check(sb, p, &p->checks[i]);
    strbuf_addstr(sb, "  </testsuite>\n");
    total->tests += c.tests;
    total->failures += c.failures;
    total->errors += c.errors;
    total->skipped += c.skipped;
    total->ms += c.ms;
}

static const char *junit_near_miss(const struct run_result *r, const char *program)
{
    for (size_t i = 0; i < r->nnear_misses; i++)
        if (r->near_misses[i].program && strcmp(r->near_misses[i].program, program) == 0)
            return r->near_misses[i].file;
    return NULL;
}

/* Grader faults and missing programs, in a suite of their own. */
static void junit_submission(struct strbuf *sb, const struct run_result *r,
                             struct junit_counts *total)
{
    struct junit_counts c = { .tests = r->nmissing + !!r->error, .errors = !!r->error,
                              .skipped = r->nmissing };
    if (c.tests == 0)
        return;
    strbuf_addstr(sb, "  <testsuite name=\"submission\"");
    junit_counts_attrs(sb, &c);
    strbuf_addstr(sb, ">\n");
    if (r->error) {
        junit_open_case(sb, "submission", "grader", 0);
        strbuf_addstr(sb, ">\n      <error");
        junit_attr(sb, "message", r->error);
        junit_attr(sb, "type", "internal");
        strbuf_addstr(sb, "/>\n    </testcase>\n");
    }
    for (size_t i = 0; i < r->nmissing; i++) {
        const char *near = junit_near_miss(r, r->missing[i]);
        char *name = xasprintf("%s.c", r->missing[i]);
        char *msg = near ? xasprintf("not found; found %s: did you mean %s?", near, name)
                         : xstrdup("not found");
        junit_open_case(sb, "submission", name, 0);
        strbuf_addstr(sb, ">\n      <skipped");
        junit_attr(sb, "message", msg);
        strbuf_addstr(sb, "/>\n    </testcase>\n");
        free(name);
        free(msg);
    }
    strbuf_addstr(sb, "  </testsuite>\n");
    total->tests += c.tests;
    total->errors += c.errors;
    total->skipped += c.skipped;
}

char *report_junit(const struct run_result *r)
{
    struct strbuf body, sb;
    struct junit_counts total = { 0 };

    /* Suites first, so the <testsuites> element can carry the totals. */
    strbuf_init(&body);
    strbuf_add(&body, "", 0);
    for (size_t i = 0; i < r->nprograms; i++)
        junit_program(&body, r, &r->programs[i], &total);
    junit_submission(&body, r, &total);
    total.ms = r->duration_ms;

    strbuf_init(&sb);
    strbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sockgrade\"");
    junit_counts_attrs(&sb, &total);
    strbuf_addstr(&sb, ">\n");
    strbuf_add(&sb, body.data, body.len);
    strbuf_addstr(&sb, "</testsuites>\n");
    strbuf_release(&body);
    return strbuf_detach(&sb);
}
