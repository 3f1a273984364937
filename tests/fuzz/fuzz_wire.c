/* fuzz_wire: the runner pipe decoder. A runner is a fork of the grader, but it shares its
 * process with hostile code's peers and its pipe could be cut short at any byte, so the
 * grader's side must take any bytes. A decoded result is encoded and decoded again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade_wire.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = xstrndup((const char *)data, size);
    struct check_result c;
    memset(&c, 0, sizeof c);
    if (wire_check_decode(json, &c) == 0) {
        char *again = wire_check_encode(&c);
        struct check_result c2;
        memset(&c2, 0, sizeof c2);
        if (!again || wire_check_decode(again, &c2) < 0)
            abort();
        result_check_free(&c2);
        free(again);
    }
    result_check_free(&c);
    struct build_result b;
    memset(&b, 0, sizeof b);
    if (wire_build_decode(json, &b) == 0) {
        char *again = wire_build_encode(&b);
        if (!again || wire_build_decode(again, &b) < 0)
            abort();
        free(again);
    }
    free(b.command);
    free(b.diagnostics);
    free(json);
    return 0;
}
