/* fuzz_report: the native report reader that batch resume and merge use on JSON files anyone
 * with access to the output folder can edit. A report that parses is written back in every
 * format (so the writers see arbitrary strings too: their escaping must hold for any model),
 * and the native JSON must parse again to the same document (the round trip resume needs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "result/result_json.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No raw C0 (but newline and tab), DEL or C1 control in a document a person may read. */
static void fuzz_check_safe(const char *doc, int text)
{
    for (const unsigned char *p = (const unsigned char *)doc; *p; p++) {
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            abort();
        if (text && ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[UTIL_ERRLEN];
    char *json = xstrndup((const char *)data, size);
    struct run_result *r = result_json_read(json, err, sizeof err);
    if (r) {
        char *doc = result_json_write(r);
        fuzz_check_safe(doc, 0);
        struct run_result *again = result_json_read(doc, err, sizeof err);
        if (!again)
            abort();
        char *doc2 = result_json_write(again);
        if (strcmp(doc, doc2) != 0)
            abort();
        for (int f = FORMAT_TEXT; f <= FORMAT_HTML; f++) {
            struct report_options o = { .color = false, .student_view = (size & 1) != 0 };
            char *out = report_render(r, (enum report_format)f, &o);
            fuzz_check_safe(out, f == FORMAT_TEXT || f == FORMAT_HTML);
            if (f == FORMAT_HTML && (strstr(out, "<script") || strstr(out, "<img")))
                abort(); /* the student page has no script: any is the model's text unescaped */
            free(out);
        }
        free(doc);
        free(doc2);
        result_run_free(again);
        free(again);
        result_run_free(r);
        free(r);
    }
    free(json);
    return 0;
}
