/* html: what the grader's HTML pages share (the student's report, report_html.c, and the
 * class dashboard, batch/dashboard.c): text made safe and visible, and the page frame with its
 * inline style, its Content-Security-Policy and its one optional script.
 *
 * Every string from the model goes through html_escape: markup characters become entities,
 * and every code point that has no visible form or that a parser or reader would act on (C0
 * and C1 controls, DEL, bidi overrides and isolates, zero-width and line-separator characters,
 * noncharacters, invalid UTF-8) is written as a marked escape ("\x1b", "\u202e", U+FFFD), so
 * the page shows the exact bytes and an HTML5 parser sees no parse error. */
#ifndef SOCKGRADE_HTML_H
#define SOCKGRADE_HTML_H

#include "util/util.h"

/* How a line feed in the text is shown. */
enum html_nl {
    HTML_INLINE, /* names, ids, one-line fields: a marked "⏎" on the same line */
    HTML_VALUE,  /* expected/actual values: "⏎" and a line break, so line ends stay visible */
    HTML_BLOCK,  /* compiler output, hints: a plain line break; a tab stays a tab */
};

void html_escape(struct strbuf *sb, const char *s, enum html_nl nl);
/* <pre class="cls">s</pre>, escaped in mode nl ("(empty)" for ""; cls may be NULL). */
void html_pre(struct strbuf *sb, const char *cls, const char *s, enum html_nl nl);
/* s percent-encoded as one path segment of a relative URL (all but A-Z a-z 0-9 - . _ ~):
 * a student's name can hold ':', '#', '?' or quotes, and none of them may end the link. */
void html_url_segment(struct strbuf *sb, const char *s);
/* s quoted for a POSIX shell when it holds anything but letters, digits and "._/-+=:,@%",
 * for a command line shown to copy (the result is then escaped like any text). */
char *html_shell_quote(const char *s);

/* The page up to and including <body>: language en, UTF-8, a viewport for phones, and a
 * Content-Security-Policy that allows only this page's own style (html_base_css then css) and
 * script (NULL: no script at all), named by their SHA-256, and no request to anything. */
void html_page_begin(struct strbuf *sb, const char *title, const char *css, const char *script);
/* The script (if any) and the end of the page. */
void html_page_end(struct strbuf *sb, const char *script);

#endif
