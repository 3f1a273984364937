/* fuzz_values: the value reader over a student's program output, the most hostile input the
 * grader reads. The first byte picks the type and the token budget; a line of the input (up
 * to the first newline, at most 64 bytes) is also tried as an expected value, so the
 * comparison functions see arbitrary expectations as well as arbitrary output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum value_type t = (enum value_type)(data[0] % VALUE_TYPE_COUNT);
    const char *out = (const char *)data + 1;
    size_t len = size - 1;
    char expected[65];
    const char *nl = memchr(out, '\n', len);
    size_t elen = nl ? (size_t)(nl - out) : len;
    if (elen > 64)
        elen = 64;
    memcpy(expected, out, elen);
    expected[elen] = '\0';

    struct value_list list;
    values_extract(out, len, t, &list);
    for (size_t i = 0; i < list.count; i++) {
        (void)value_equals(&list.items[i], expected);
        (void)value_equals(&list.items[i], list.items[i].text);
    }
    values_free(&list);
    (void)value_valid(t, expected);
    const char *const exp[] = { expected, "127.0.0.1", "0xE72473D2", "7" };
    (void)values_match_in_order(out, len, t, exp, 4, (size_t)(data[0] >> 2), NULL);
    (void)values_contains_bytes(out, len, expected, elen);
    return 0;
}
