/* check_text: the words the judges (check_expect.c) describe a run with: bytes quoted, what a
 * program said, how it ended. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "util/util.h"

static bool text_is_utf8(const char *data, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t bad = 0, k = util_utf8_decode(data + i, len - i, &cp, &bad);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* Korean students' editors often save EUC-KR (CP949, its superset): text that is not UTF-8
 * but converts from CP949 whole, Hangul in it, is shown converted. NULL when it does not. */
static char *text_from_cp949(const char *data, size_t len, size_t *out_len)
{
    for (size_t i = 0; i < len; i++) { /* text: no control bytes but line ends and tabs */
        unsigned char c = (unsigned char)data[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return NULL;
    }
    iconv_t cd = iconv_open("UTF-8", "CP949");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 3 / 2 + 4, left_in = len, left_out = cap;
    char *out = xmalloc(cap + 1), *in = (char *)data, *o = out;
    size_t rc = iconv(cd, &in, &left_in, &o, &left_out);
    iconv_close(cd);
    bool hangul = false;
    for (char *p = out; p + 2 < o && !hangul; p++) /* U+AC00..U+D7A3: lead bytes EA..ED */
        hangul = (unsigned char)*p >= 0xEA && (unsigned char)*p <= 0xED;
    if (rc == (size_t)-1 || left_in || !hangul) {
        free(out);
        return NULL;
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

/* Bytes that are no text at all (a binary payload): a quarter or more of them are control
 * bytes other than line ends, tabs and NULs, or not UTF-8. NULs are left out of the count:
 * text padded with NULs (a whole buffer sent) is a student's bug to see, quoted; so is text
 * with a few odd bytes in it. */
static bool text_is_binary(const char *data, size_t len)
{
    size_t odd = 0;
    if (len < CHECK_BINARY_MIN)
        return false;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t bad = 0, k = util_utf8_decode(data + i, len - i, &cp, &bad);
        if (!k) {
            odd += bad;
            i += bad;
            continue;
        }
        odd += (cp < 0x20 && cp && cp != '\n' && cp != '\r' && cp != '\t') || cp == 0x7f;
        i += k;
    }
    return odd * 4 >= len;
}

bool check_is_binary(const char *data, size_t len)
{
    size_t n = 0;
    if (!text_is_binary(data, len))
        return false;
    char *korean = text_from_cp949(data, len, &n);
    bool text = korean != NULL;
    free(korean);
    return !text;
}

static char *quote_bytes(const char *data, size_t len, size_t cap);

char *check_quote(const char *data, size_t len, size_t cap)
{
    size_t n = 0;
    char *korean = !text_is_utf8(data, len) ? text_from_cp949(data, len, &n) : NULL;
    if (korean) {
        char *q = quote_bytes(korean, n, cap), *s = xasprintf("%s (decoded from EUC-KR)", q);
        free(q);
        free(korean);
        return s;
    }
    if (text_is_binary(data, len)) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_addf(&sb, "%zu bytes of binary data (", len);
        for (size_t i = 0; i < len && i < 8; i++)
            strbuf_addf(&sb, "%s%02x", i ? " " : "", (unsigned char)data[i]);
        strbuf_addstr(&sb, len > 8 ? " ...)" : ")");
        return strbuf_detach(&sb);
    }
    return quote_bytes(data, len, cap);
}

static char *quote_bytes(const char *data, size_t len, size_t cap)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_addstr(&sb, "\"");
    size_t i;
    for (i = 0; i < len && sb.len < cap; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n')
            strbuf_addstr(&sb, "\\n");
        else if (c == '\r')
            strbuf_addstr(&sb, "\\r");
        else if (c == '\t')
            strbuf_addstr(&sb, "\\t");
        else if (c == '\0')
            strbuf_addstr(&sb, "\\0");
        else if (c == '"' || c == '\\')
            strbuf_addf(&sb, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            strbuf_addf(&sb, "\\x%02X", c);
        else
            strbuf_add(&sb, &data[i], 1);
    }
    strbuf_addstr(&sb, "\"");
    if (i < len)
        strbuf_addf(&sb, " …(%zu more bytes)", len - i);
    return strbuf_detach(&sb);
}

char *check_said(const struct sandbox_outcome *o)
{
    if (o->out_len == 0 && o->err_len == 0)
        return xstrdup("no output");
    char *q = check_quote(o->out, o->out_len, CHECK_QUOTE_CAP);
    char *s = o->out_len ? xasprintf("printed %s", q) : xstrdup("printed nothing on stdout");
    free(q);
    if (o->err_len) {
        char *e = check_quote(o->err, o->err_len, 160);
        char *t = xasprintf("%s; stderr %s", s, e);
        free(e);
        free(s);
        s = t;
    }
    return s;
}

char *check_describe_end(const struct check_seen *s)
{
    const struct sandbox_outcome *o = &s->outcome;
    switch (o->end) {
    case END_EXITED:
        return xasprintf("exit status %d", o->code);
    case END_SIGNALED:
        if (o->oom_killed)
            return xasprintf("killed by signal %d (%s): its processes together ran out of the "
                             "run's memory", o->signal, strsignal(o->signal));
        return xasprintf("killed by signal %d (%s)", o->signal, strsignal(o->signal));
    case END_TIMEOUT:
        return xasprintf("still running after %d ms (killed)", s->timeout_ms);
    case END_STOPPED:
        return xstrdup("still running (stopped by the grader)");
    default:
        return xasprintf("the sandbox failed: %s", o->error);
    }
}
