/* report: format names (the --format option's vocabulary), dispatch to the writers, and the
 * message about one check that the CI formats share. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "result/result_json.h"
#include "util/util.h"

static const char *const report_format_names[] = { "text", "json", "gradescope", "junit",
                                                   "classroom", "html", NULL };

int report_format_parse(const char *name, enum report_format *f)
{
    int i = util_enum_value(report_format_names, name);
    if (i < 0)
        return -1;
    *f = (enum report_format)i;
    return 0;
}

const char *report_format_name(enum report_format f)
{
    return util_enum_name(report_format_names, (int)f);
}

char *report_render(const struct run_result *r, enum report_format f, const struct report_options *o)
{
    switch (f) {
    case FORMAT_JSON:
        return result_json_write(r);
    case FORMAT_GRADESCOPE:
        return report_gradescope(r);
    case FORMAT_JUNIT:
        return report_junit(r);
    case FORMAT_CLASSROOM:
        return report_classroom(r);
    case FORMAT_HTML:
        return report_html(r, o);
    case FORMAT_TEXT:
    default:
        return report_text(r, o);
    }
}

static void report_value(struct strbuf *sb, const char *label, const char *s, size_t cap)
{
    if (!s)
        return;
    char *cut = cap ? result_text(s, strlen(s), cap) : NULL;
    /* Same spelling of line ends and control bytes as the terminal report. */
    char *v = report_text_value(cut ? cut : s, "          ");
    strbuf_addf(sb, "%s%s\n", label, *s ? v : "(empty)");
    free(v);
    free(cut);
}

char *report_check_message(const struct check_result *c, bool student_view, size_t cap)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    if (student_view && c->visibility != VIS_VISIBLE) {
        strbuf_addstr(&sb, c->visibility == VIS_HIDDEN ? "(hidden check)\n" : "(details after the due date)\n");
        return strbuf_detach(&sb);
    }
    if (c->description)
        strbuf_addf(&sb, "%s\n", c->description);
    if (c->status == STATUS_SKIPPED) {
        strbuf_addf(&sb, "skipped: %s\n", result_skip_reason(c));
    } else if (c->status != STATUS_PASSED) {
        if (c->status == STATUS_ERROR)
            strbuf_addstr(&sb, "grader error (not your fault)\n");
        const struct check_evidence *e = c->evidence;
        if (e) {
            report_value(&sb, "ran:      ", e->command, cap);
            report_value(&sb, "stdin:    ", e->stdin_text, cap);
            for (size_t i = 0; i < e->npeers; i++)
                report_value(&sb, "grader:   ", e->peers[i], cap);
        }
        report_value(&sb, "expected: ", c->expected, cap);
        report_value(&sb, "actual:   ", c->actual, cap);
        if (e)
            report_value(&sb, "ended:    ", e->ended, cap);
        if (c->hint)
            strbuf_addf(&sb, "hint:     %s\n", c->hint);
    }
    return strbuf_detach(&sb);
}
