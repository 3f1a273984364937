/* check_text: the words the judges (check_expect.c) describe a run with: bytes quoted, what a
 * program said, how it ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"
#include "util/util.h"

char *check_quote(const char *data, size_t len, size_t cap)
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
