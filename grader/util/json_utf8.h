/* json_utf8: cJSON takes any bytes inside strings, but a spec or report that is not UTF-8 was
 * not written by an editor or by the grader: it is refused with the JSON path of the first
 * string (or key) that is not, so the person who edited it can find it. */
#ifndef SOCKGRADE_JSON_UTF8_H
#define SOCKGRADE_JSON_UTF8_H

#include <cJSON.h>
#include <stddef.h>

/* 0 when every string and key under v is valid UTF-8 (no NUL: cJSON strings end there);
 * else -1 with err "<path>: not valid UTF-8 (byte 0xNN at offset N)", path starting at
 * root_path ("$"). */
int json_utf8_check(const cJSON *v, const char *root_path, char *err, size_t errlen);

#endif
