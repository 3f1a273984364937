/* spec_internal: shared by the spec loader's three files and nothing else. spec_json.c reads
 * typed fields out of cJSON objects and words every error as "<file>: <json path>: <problem>";
 * spec_check.c reads one check with it; spec.c reads the top level and owns the public API. */
#ifndef SOCKGRADE_SPEC_INTERNAL_H
#define SOCKGRADE_SPEC_INTERNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* Room for any path the loader builds ("$.checks[12].expect[3].values[7]"); user-supplied
 * keys are appended only when a message is formatted, never stored in a path. */
#define SPEC_PATHLEN 128

/* Where errors go; the file name starts every message. */
struct spec_json {
    const char *file;
    char *err;
    size_t errlen;
};

/* Flags of the readers below. */
#define SPEC_REQUIRED 1u  /* absent is an error */
#define SPEC_NONEMPTY 2u  /* "" or [] is an error */
#define SPEC_NUMBERS 4u   /* string lists: JSON numbers are accepted as their decimal text */
#define SPEC_SINGLE 8u    /* string lists: one string is accepted as a list of one */

/* Formats "<file>: <path>[.key]: <problem>" into the context; returns -1. */
int spec_json_fail(struct spec_json *j, const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Every key of obj must be in known (NULL-terminated). With why == NULL an unknown key is a
 * typo ("unknown key (did you mean ...?)"), and a repeated key is an error because cJSON
 * would silently keep the first; otherwise why is the whole message (a key that exists but
 * is not allowed here, e.g. "not allowed when what is \"exit\""). */
int spec_json_keys(struct spec_json *j, const cJSON *obj, const char *path,
                   const char *const *known, const char *why);
/* Fails with why if obj has key. */
int spec_json_forbid(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     const char *why);

const cJSON *spec_json_get(const cJSON *obj, const char *key);
/* "got" text for messages: a short JSON rendering ("true", "1.5", "\"abc\"", "an array"). */
const char *spec_json_describe(const cJSON *v, char *buf, size_t len);
/* Decimal text of a JSON number as an argument or expected value: 7 -> "7", 1.5 -> "1.5". */
char *spec_json_number_text(double d);
/* "<path>.<key>[i]" into buf. */
void spec_json_index(char *buf, size_t len, const char *path, const char *key, size_t i);

int spec_json_object(struct spec_json *j, const cJSON *v, const char *path);
/* The readers: *out keeps its value (the default) when the key is absent. */
int spec_json_string(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     unsigned flags, char **out);
int spec_json_ident(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                    char **out);
int spec_json_int(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                  int min, int max, int *out);
int spec_json_number(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                     double min, double *out);
int spec_json_bool(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                   bool *out);
/* names is NULL-terminated; *out is the index of the name found. */
int spec_json_enum(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                   const char *const *names, unsigned flags, int *out);
/* The same over a table of n rows of stride bytes, each starting with its name (const char *). */
int spec_json_enum_rows(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                        const void *rows, size_t stride, size_t n, unsigned flags, int *out);
int spec_json_strings(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                      unsigned flags, char ***out, size_t *n);
/* The array at key (NULL when absent and not required). */
int spec_json_array(struct spec_json *j, const cJSON *obj, const char *path, const char *key,
                    unsigned flags, const cJSON **out);
void spec_json_strv_free(char **v, size_t n);

/* spec_kinds.c: the tables of check kinds and expectation kinds. */
#define SPEC_ONLY_DRIVE "only allowed when kind is \"drive\""
int spec_kind_read(struct spec_json *j, const cJSON *o, const char *path, int *kind);
/* The check's "expect" list; its peers and clients are read already. */
int spec_expects_read(struct spec_json *j, const cJSON *o, const char *path, struct spec_check *c);

/* spec_check.c */
int spec_check_read(struct spec_json *j, const cJSON *obj, const char *path,
                    int default_timeout_ms, struct spec_check *c);
void spec_check_free(struct spec_check *c);
/* Every requires_any of s names another check of s that has no requirements itself. */
int spec_check_requirements(struct spec_json *j, const struct spec *s);
/* Sets each check's run_of from the checks array arr that s was read from. */
void spec_check_shared_runs(const cJSON *arr, struct spec *s);

#endif
