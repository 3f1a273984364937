/* report: format names (the --format option's vocabulary) and dispatch to the writers. */
#include "report.h"

#include "result/result_json.h"
#include "util/util.h"

static const char *const report_format_names[] = { "text", "json", "gradescope", "junit", NULL };

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
    case FORMAT_TEXT:
    default:
        return report_text(r, o);
    }
}
