/* fuzz_spec: the spec loader over an instructor's JSON (spec_parse, the part of spec_load
 * after the file is read). A spec that loads must also be a spec every accessor can walk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[UTIL_ERRLEN];
    char *json = xstrndup((const char *)data, size); /* spec_load rejects inner NULs first */
    struct spec *s = spec_parse("fuzz.json", json, err, sizeof err);
    if (s) {
        (void)spec_max_score(s);
        for (size_t i = 0; i < s->nchecks; i++)
            (void)spec_kind_name(s->checks[i].kind);
    } else if (!memchr(err, '\0', sizeof err) || strncmp(err, "fuzz.json: ", 11) != 0) {
        abort(); /* every error must name the file */
    }
    spec_free(s);
    free(json);
    return 0;
}
