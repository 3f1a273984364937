/* values: reads values out of free-form program output, ignoring labels in any language.
 * Tokenizing: output is split into ASCII tokens (runs of [A-Za-z0-9._:-]); every other byte,
 * including UTF-8 Korean labels, invalid UTF-8 and NUL, separates tokens. Within a run:
 *  - ':' always splits, so "127.0.0.1:7" gives the address and the port, "port:7" and "7:"
 *    give 7 (the cost: an IPv6 "::1" would give the integer 1; the course is IPv4 only);
 *  - a run of two or more dots splits (an ellipsis, as in "connecting...10.0.0.1");
 *  - single dots at either end are stripped ("host.example.com." at a sentence's end).
 * Each token is then classified once, so "0xE72473D2" is a hex word and never also the
 * integers 0 and 72473, and "256.1.1.1" or "1.2.3" are neither addresses nor integers but
 * nothing at all. "(1번째)" gives the integer 1; "-5" the integer -5; "3-5" nothing. */
#ifndef SOCKGRADE_VALUES_H
#define SOCKGRADE_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum value_type {
    VALUE_INT,  /* -?[0-9]+ (decimal) */
    VALUE_HEX,  /* 0x[0-9A-Fa-f]+ (case-insensitive; compared by numeric value) */
    VALUE_IPV4, /* four decimal parts 0..255 separated by dots */
    VALUE_NAME, /* a token with at least one letter that is none of the above (host names) */
    VALUE_TYPE_COUNT
};
const char *value_type_name(enum value_type t);
/* Returns 0 and sets *t, or -1 for an unknown name. */
int value_type_parse(const char *name, enum value_type *t);

struct value {
    enum value_type type;
    char *text;      /* the token as printed (without the dots stripped at its ends) */
    int64_t number;  /* INT: the value (saturated beyond 64 bits); HEX: the 64-bit pattern;
                        IPV4: the address in host order (a<<24|b<<16|c<<8|d). Comparisons use
                        the text, so no precision is lost on long tokens. */
};

struct value_list {
    struct value *items;
    size_t count;
};

/* Every token of type t in output, in order. */
void values_extract(const char *output, size_t len, enum value_type t, struct value_list *out);
void values_free(struct value_list *list);

/* Is text a well-formed expected value of type t (the forms value_equals accepts)? Lets a
 * spec reject "1.2.3.256" as an ipv4 expectation when it is loaded, not when it never matches. */
bool value_valid(enum value_type t, const char *text);

/* Does the expected text denote the same value as v? (INT/HEX by number, IPV4 by address,
 * NAME case-insensitively with a trailing dot ignored.) For HEX, expected is "0x..." or, as a
 * JSON number would be written, plain decimal digits (3877925842 == 0xE72473D2). Returns
 * false if expected does not parse as type v->type. */
bool value_equals(const struct value *v, const char *expected);

/* Finds expected[0..n) as a subsequence of the values of type t in output. Returns true when
 * all are found in order and at most max_extra other values of that type are present.
 * *matched (if not NULL) tells how many expected values were found in order; a greedy,
 * earliest-first match, which finds the subsequence whenever one exists. */
bool values_match_in_order(const char *output, size_t len, enum value_type t,
                           const char *const *expected, size_t n, size_t max_extra,
                           size_t *matched);

/* Finds needle (raw bytes) in haystack; the check for echoed text, which is not tokenized. */
bool values_contains_bytes(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

#endif
