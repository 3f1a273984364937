/* replay_main: runs a fuzz target's LLVMFuzzerTestOneInput on each file named, without
 * libFuzzer, so `make test` replays the seed corpora and every regression input with the
 * ordinary build (and `make asan` with the sanitizers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    char err[UTIL_ERRLEN];
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        char *data = util_read_file(argv[i], &len, err, sizeof err);
        if (!data) {
            fprintf(stderr, "replay: %s\n", err);
            return 2;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
    }
    return 0;
}
