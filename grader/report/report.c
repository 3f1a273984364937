/* report: format names (the --format option's vocabulary) and dispatch to the writers. */
#include "report.h"

#include <string.h>

static const char *const format_names[] = { "text", "json", "gradescope", "junit", "html" };

#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

int report_format_parse(const char *name, enum report_format *f)
{
    for (size_t i = 0; name && i < NFORMATS; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *f = (enum report_format)i;
            return 0;
        }
    }
    return -1;
}

const char *report_format_name(enum report_format f)
{
    return (unsigned)f < NFORMATS ? format_names[f] : "unknown";
}

char *report_render(const struct run_result *r, enum report_format f, const struct report_options *o)
{
    switch (f) {
    case FORMAT_JSON:
        return report_json(r);
    case FORMAT_GRADESCOPE:
        return report_gradescope(r);
    case FORMAT_JUNIT:
        return report_junit(r);
    case FORMAT_HTML:
        return report_html(r, o);
    case FORMAT_TEXT:
    default:
        return report_text(r, o);
    }
}
