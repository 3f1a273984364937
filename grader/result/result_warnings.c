/* result_warnings: the compiler warnings worth a student's minute. A program that builds can
 * still carry the bug its checks then fail on, and gcc often names it first: an undeclared
 * socket() (a missing #include, and a pointer cut to int), `if (n = read(...) < 0)`, a
 * format that prints a size_t with %d, an addrlen never set. Those are kept; style warnings
 * that point at no failure a check could see (-Wpointer-sign from the textbook's `unsigned
 * char *` buffers, unused variables and parameters, signed/unsigned comparisons) are left
 * out. The full compiler output stays in the build result for whoever wants it. */
#include "result.h"

#include <stdbool.h>
#include <string.h>

#include "util/util.h"

#define WARNINGS_KEPT_MAX 8 /* the rest is counted, not shown: the first ones are the point */

static const char *const bug_options[] = {
    "implicit-function-declaration", "implicit-int", "parentheses", "maybe-uninitialized",
    "uninitialized", "format", "format=", "format-overflow", "format-overflow=",
    "format-security", "return-type", "int-conversion", "incompatible-pointer-types",
    "int-to-pointer-cast", "pointer-to-int-cast", "sizeof-pointer-memaccess",
    "sizeof-pointer-div", "array-bounds", "array-bounds=", "stringop-overflow",
    "stringop-overflow=", "builtin-declaration-mismatch", "nonnull", "use-after-free",
    "use-after-free=", "dangling-pointer", "dangling-pointer=", "sequence-point",
    "shift-count-overflow", "div-by-zero", "overflow", "address", "free-nonheap-object",
    "restrict", "misleading-indentation", "return-local-addr", NULL,
};

/* The option a warning line names at its end ("... [-Wformat=]"), matched against the list. */
static bool bug_warning(const char *line, size_t len)
{
    const char *open = NULL;
    for (size_t i = len; i >= 4; i--)
        if (line[i - 4] == '[' && line[i - 3] == '-' && line[i - 2] == 'W') {
            open = line + i - 1;
            break;
        }
    if (!open || line[len - 1] != ']')
        return false;
    size_t n = (size_t)(line + len - 1 - open);
    for (size_t i = 0; bug_options[i]; i++)
        if (strlen(bug_options[i]) == n && strncmp(open, bug_options[i], n) == 0)
            return true;
    return false;
}

static bool line_has(const char *line, size_t len, const char *what)
{
    size_t w = strlen(what);
    for (size_t i = 0; i + w <= len; i++)
        if (memcmp(line + i, what, w) == 0)
            return true;
    return false;
}

char *result_bug_warnings(const char *diagnostics, size_t *count)
{
    struct strbuf sb;
    bool keep = false;
    size_t kept = 0;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    for (const char *p = diagnostics ? diagnostics : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (line_has(p, len, ": warning: ")) {
            keep = bug_warning(p, len);
            kept += keep;
            keep = keep && kept <= WARNINGS_KEPT_MAX;
        } else if (line_has(p, len, ": In function ") || line_has(p, len, ": error: ") ||
                   (line_has(p, len, ": At top level:"))) {
            keep = false; /* a heading of its own; notes and context lines follow their warning */
        }
        if (keep) {
            strbuf_add(&sb, p, len);
            strbuf_addstr(&sb, "\n");
        }
        p += len + (nl != NULL);
    }
    *count = kept;
    return strbuf_detach(&sb);
}
