/* fuzz_wire: the runner pipe decoder. A runner is a fork of the grader, but it shares its
 * process with hostile code's peers and its pipe could be cut short at any byte, so the
 * grader's side must take any bytes. A decoded result is encoded and decoded again, and must
 * then encode to the same document. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade_wire.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const char *json)
{
    char err[UTIL_ERRLEN];
    struct check_result c = { 0 }, c2 = { 0 };
    if (wire_check_decode(json, &c, err, sizeof err) == 0) {
        char *again = wire_check_encode(&c);
        if (!again || wire_check_decode(again, &c2, err, sizeof err) < 0)
            abort();
        char *third = wire_check_encode(&c2);
        if (strcmp(again, third) != 0)
            abort();
        free(third);
        free(again);
    }
    result_check_free(&c2);
    result_check_free(&c);
}

static void fuzz_build(const char *json)
{
    char err[UTIL_ERRLEN];
    struct build_result b = { 0 };
    if (wire_build_decode(json, &b, err, sizeof err) == 0) {
        char *again = wire_build_encode(&b);
        if (!again || wire_build_decode(again, &b, err, sizeof err) < 0)
            abort();
        char *third = wire_build_encode(&b);
        if (strcmp(again, third) != 0)
            abort();
        free(third);
        free(again);
    }
    free(b.command);
    free(b.diagnostics);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = xstrndup((const char *)data, size);
    fuzz_check(json);
    fuzz_build(json);
    free(json);
    return 0;
}
