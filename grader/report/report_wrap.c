/* report_wrap: fits the text report to a terminal's width. A student reads it in an 80-column
 * terminal more often than not, and a terminal that wraps a 300-column line starts the rest
 * at column 0, where it reads as a line of its own. Lines are broken at spaces, and the rest
 * is indented under the start of the line's text ("hanging"), so a continuation never looks
 * like a new check or a new field. Widths are counted in terminal columns: a Hangul syllable
 * takes two, a colour escape none. */
#include "report_int.h"

#include <stdbool.h>
#include <string.h>

#include "util/util.h"

/* Columns a code point takes in a terminal: the East Asian wide and fullwidth ranges (where
 * Korean and CJK text lives) take two, combining marks none. Not a full wcwidth(): the report
 * must not depend on the locale it happens to run under. */
static size_t wrap_cp_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

/* Length in bytes of the unit at s (a character, or one of the report's own colour escapes,
 * which take no column) and its width in columns. */
static size_t wrap_unit(const char *s, size_t n, size_t *cols)
{
    uint32_t cp = 0;
    size_t bad = 0, k;
    if (s[0] == '\033' && n > 1 && s[1] == '[') {
        for (k = 2; k < n && s[k] != 'm'; k++)
            ;
        *cols = 0;
        return k < n ? k + 1 : n;
    }
    k = util_utf8_decode(s, n, &cp, &bad);
    if (!k) { /* the writers repair their text first; count a stray byte as one column */
        *cols = 1;
        return bad ? bad : 1;
    }
    *cols = wrap_cp_width(cp);
    return k;
}

/* Where the continuation of a line starts: under the value of a "label: value" line
 * ("      expected: ..."), else four columns in from the line's own indent. */
static size_t wrap_hang(const char *line, size_t len)
{
    size_t lead = 0;
    while (lead < len && line[lead] == ' ')
        lead++;
    for (size_t i = lead; i < len && i < lead + 12; i++) {
        char c = line[i];
        if (c == ':' && i + 1 < len && line[i + 1] == ' ') {
            size_t v = i + 1;
            while (v < len && line[v] == ' ')
                v++;
            return v;
        }
        if (!(c >= 'a' && c <= 'z') && c != ' ')
            break;
    }
    return lead + 4;
}

/* Appends one line (no '\n' in it) broken to width columns. */
static void wrap_line(struct strbuf *out, const char *line, size_t len, size_t width)
{
    size_t hang = wrap_hang(line, len), start = 0, col = 0, i = 0;
    size_t cut = 0;  /* byte offset of the last space on this row, 0 if none */
    if (hang + 20 > width)
        hang = width > 24 ? 4 : 0;
    while (i < len) {
        size_t cols, k = wrap_unit(line + i, len - i, &cols);
        if (line[i] == ' ' && col > hang)
            cut = i;
        if (col + cols > width && col > hang) {
            size_t end = cut > start ? cut : i, next = cut > start ? cut + 1 : i;
            while (end > start && line[end - 1] == ' ') /* no trailing blanks at the break */
                end--;
            strbuf_add(out, line + start, end - start);
            strbuf_addstr(out, "\n");
            for (size_t s = 0; s < hang; s++)
                strbuf_add(out, " ", 1);
            start = next;
            cut = 0;
            col = hang;
            for (size_t p = start; p < i;) { /* the columns already carried over */
                size_t c2, k2 = wrap_unit(line + p, len - p, &c2);
                col += c2;
                p += k2;
            }
            if (i < start) /* the break was at this very space: it is dropped */
                i = start;
            continue;
        }
        col += cols;
        i += k;
    }
    strbuf_add(out, line + start, len - start);
}

char *report_wrap(const char *text, size_t width)
{
    struct strbuf out;
    strbuf_init(&out);
    strbuf_add(&out, "", 0);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (width)
            wrap_line(&out, p, len, width);
        else
            strbuf_add(&out, p, len);
        if (!nl)
            break;
        strbuf_addstr(&out, "\n");
        p = nl + 1;
    }
    return strbuf_detach(&out);
}
