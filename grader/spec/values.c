/* values: splits program output into ASCII tokens, classifies each token once, and compares
 * the values found with a spec's expected ones. The rules are in values.h. Comparisons work
 * on the token text, not on parsed numbers, so no token is too long to compare exactly. */
#include "values.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

static const char *const value_type_names[VALUE_TYPE_COUNT + 1] = {
    [VALUE_INT] = "int",
    [VALUE_HEX] = "hex",
    [VALUE_IPV4] = "ipv4",
    [VALUE_NAME] = "name",
};

const char *value_type_name(enum value_type t)
{
    return util_enum_name(value_type_names, (int)t);
}

int value_type_parse(const char *name, enum value_type *t)
{
    int i = util_enum_value(value_type_names, name);
    if (i < 0)
        return -1;
    *t = (enum value_type)i;
    return 0;
}

/* ':' is not here: it separates, as values.h explains. Bytes >= 0x80 are never token bytes,
 * which is what makes Korean labels (and broken UTF-8) plain separators. */
static bool values_is_token_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-';
}

static bool values_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool values_is_xdigit(char c)
{
    return values_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool values_is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool values_all(const char *s, size_t n, bool (*pred)(char))
{
    for (size_t i = 0; i < n; i++)
        if (!pred(s[i]))
            return false;
    return true;
}

static bool values_is_int(const char *s, size_t n)
{
    if (n > 0 && s[0] == '-') {
        s++;
        n--;
    }
    return n > 0 && values_all(s, n, values_is_digit);
}

static bool values_is_hex(const char *s, size_t n)
{
    return n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
           values_all(s + 2, n - 2, values_is_xdigit);
}

/* Four parts of one to three digits, each at most 255; fills the address in host order. */
static bool values_parse_ipv4(const char *s, size_t n, uint32_t *addr)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && values_is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i < n && values_is_digit(s[i])))
            return false;
        a = a << 8 | v;
    }
    if (i != n)
        return false;
    *addr = a;
    return true;
}

static bool values_has_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (values_is_letter(s[i]))
            return true;
    return false;
}

/* The one classification of a token; false when it is of no type ("1.2.3", "3-5", "--"). */
static bool values_classify(const char *s, size_t n, enum value_type *t)
{
    uint32_t addr;
    if (values_is_hex(s, n))
        *t = VALUE_HEX;
    else if (values_is_int(s, n))
        *t = VALUE_INT;
    else if (values_parse_ipv4(s, n, &addr))
        *t = VALUE_IPV4;
    else if (values_has_letter(s, n))
        *t = VALUE_NAME;
    else
        return false;
    return true;
}

static void values_set(struct value *v, enum value_type t, const char *s, size_t n)
{
    uint32_t addr = 0;
    v->type = t;
    v->text = xstrndup(s, n);
    v->number = 0;
    if (t == VALUE_INT)
        v->number = strtoll(v->text, NULL, 10); /* saturates on overflow, as documented */
    else if (t == VALUE_HEX)
        v->number = (int64_t)strtoull(v->text + 2, NULL, 16);
    else if (t == VALUE_IPV4 && values_parse_ipv4(s, n, &addr))
        v->number = addr;
}

typedef void values_visit_fn(const char *tok, size_t n, enum value_type t, void *arg);

/* Calls fn for every classified token of s, in order. */
static void values_scan(const char *s, size_t len, values_visit_fn *fn, void *arg)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && !values_is_token_byte((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < len && values_is_token_byte((unsigned char)s[i]) &&
               !(s[i] == '.' && i + 1 < len && s[i + 1] == '.'))
            i++;
        size_t end = i;
        if (i < len && s[i] == '.') /* stopped at an ellipsis: it separates */
            while (i < len && s[i] == '.')
                i++;
        while (start < end && s[start] == '.')
            start++;
        while (end > start && s[end - 1] == '.')
            end--;
        enum value_type t;
        if (end > start && values_classify(s + start, end - start, &t))
            fn(s + start, end - start, t, arg);
    }
}

struct values_collect {
    enum value_type want;
    struct value_list *out;
    size_t cap;
};

static void values_collect_one(const char *tok, size_t n, enum value_type t, void *arg)
{
    struct values_collect *c = arg;
    if (t != c->want)
        return;
    struct value_list *l = c->out;
    if (l->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        l->items = xrealloc(l->items, c->cap * sizeof *l->items);
    }
    values_set(&l->items[l->count++], t, tok, n);
}

void values_extract(const char *output, size_t len, enum value_type t, struct value_list *out)
{
    struct values_collect c = {.want = t, .out = out, .cap = 0};
    out->items = NULL;
    out->count = 0;
    if (output)
        values_scan(output, len, values_collect_one, &c);
}

void values_free(struct value_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].text);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* Digits of a valid INT without sign and leading zeros; "-0" is not negative. */
static const char *values_int_digits(const char *s, bool *neg)
{
    *neg = (s[0] == '-');
    if (*neg)
        s++;
    while (s[0] == '0' && s[1] != '\0')
        s++;
    if (strcmp(s, "0") == 0)
        *neg = false;
    return s;
}

static bool values_int_equal(const char *a, const char *b)
{
    bool na, nb;
    const char *da = values_int_digits(a, &na);
    const char *db = values_int_digits(b, &nb);
    return na == nb && strcmp(da, db) == 0;
}

/* Hex digits of a valid HEX after "0x" and leading zeros ("0" for zero). */
static const char *values_hex_digits(const char *s)
{
    s += 2;
    while (s[0] == '0' && s[1] != '\0')
        s++;
    return s;
}

static bool values_hex_equal(const char *tok, const char *expected)
{
    size_t n = strlen(expected);
    if (values_is_hex(expected, n))
        return strcasecmp(values_hex_digits(tok), values_hex_digits(expected)) == 0;
    if (n == 0 || !values_all(expected, n, values_is_digit))
        return false;
    const char *d = values_hex_digits(tok);
    if (strlen(d) > 16) /* more than 64 bits: no decimal expectation can be that large */
        return false;
    errno = 0;
    unsigned long long want = strtoull(expected, NULL, 10);
    if (errno == ERANGE)
        return false;
    return strtoull(d, NULL, 16) == want;
}

/* An expected name: a token that classifies as a name once one trailing dot is dropped. */
static bool values_name_len(const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len > 0 && s[len - 1] == '.')
        len--;
    enum value_type t;
    for (size_t i = 0; i < len; i++)
        if (!values_is_token_byte((unsigned char)s[i]))
            return false;
    /* A leading dot or an ellipsis would be cut off or split in output: never matchable. */
    if (len == 0 || s[0] == '.' || memmem(s, len, "..", 2) || !values_classify(s, len, &t) ||
        t != VALUE_NAME)
        return false;
    *n = len;
    return true;
}

bool value_valid(enum value_type t, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    uint32_t addr;
    if (!text)
        return false;
    switch (t) {
    case VALUE_INT:
        return values_is_int(text, n);
    case VALUE_HEX:
        return values_is_hex(text, n) || (n > 0 && values_all(text, n, values_is_digit));
    case VALUE_IPV4:
        return values_parse_ipv4(text, n, &addr);
    case VALUE_NAME:
        return values_name_len(text, &n);
    default:
        return false;
    }
}

bool value_equals(const struct value *v, const char *expected)
{
    size_t n;
    uint32_t addr;
    if (!v || !v->text || !value_valid(v->type, expected))
        return false;
    switch (v->type) {
    case VALUE_INT:
        return values_int_equal(v->text, expected);
    case VALUE_HEX:
        return values_hex_equal(v->text, expected);
    case VALUE_IPV4:
        return values_parse_ipv4(expected, strlen(expected), &addr) &&
               (int64_t)addr == v->number;
    case VALUE_NAME:
        return values_name_len(expected, &n) && strlen(v->text) == n &&
               strncasecmp(v->text, expected, n) == 0;
    default:
        return false;
    }
}

bool values_match_in_order(const char *output, size_t len, enum value_type t,
                           const char *const *expected, size_t n, size_t max_extra,
                           size_t *matched)
{
    struct value_list list;
    values_extract(output, len, t, &list);
    /* Taking the earliest match for each expected value never loses a subsequence that a
     * later choice would have found, so one pass decides. */
    size_t found = 0;
    for (size_t i = 0; i < list.count && found < n; i++)
        if (value_equals(&list.items[i], expected[found]))
            found++;
    bool ok = found == n && list.count - n <= max_extra;
    if (matched)
        *matched = found;
    values_free(&list);
    return ok;
}

bool values_contains_bytes(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return true;
    if (!hay || hay_len < needle_len)
        return false;
    return memmem(hay, hay_len, needle, needle_len) != NULL;
}
