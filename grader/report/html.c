/* html: escaping and the page frame shared by the student report and the class dashboard.
 * The pages are single files that must work offline and from an artifact download, so style
 * and script are inline; the Content-Security-Policy names them by hash ('self' means nothing
 * to a single file, and 'unsafe-inline' would also allow anything injected). */
#include "html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

/* Colours are custom properties so the accessibility test reads each status colour pair from
 * one place; every text colour has a contrast of at least 4.5:1 on its background. */
static const char html_base_css[] =
    ":root{--fg:#1f2328;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;"
    "--link:#0550ae;--pass:#116329;--pass-bg:#dafbe1;--fail:#a40e26;--fail-bg:#ffebe9;"
    "--skip:#4d5661;--skip-bg:#eaeef2;--err:#7a4700;--err-bg:#fff1b3;--cc:#6f32c9;"
    "--cc-bg:#f4ecff;--bar:#3b6ea8}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0 auto;max-width:62rem;padding:1rem;color:var(--fg);background:var(--bg);"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Noto Sans CJK KR\","
    "sans-serif;overflow-wrap:break-word}\n"
    "h1{font-size:1.5rem;margin:.25rem 0 .5rem}\n"
    "h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:1.05rem;margin:1rem 0 .25rem}\n"
    "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Noto Sans Mono CJK KR\","
    "\"DejaVu Sans Mono\",monospace;font-size:.9em}\n"
    "code{overflow-wrap:anywhere}table code{overflow-wrap:break-word}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0;padding:.4rem .6rem;"
    "background:var(--panel);border:1px solid var(--line);border-radius:4px}\n"
    "a{color:var(--link)}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}\n"
    "caption{text-align:left;font-weight:600;padding:.25rem 0}\n"
    "th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid var(--line)}\n"
    "thead th{border-bottom:2px solid var(--line)}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".muted{color:var(--muted)}\n"
    ".status{display:inline-block;font-weight:600;padding:0 .4rem;border-radius:3px;white-space:nowrap}\n"
    ".st-passed{color:var(--pass);background:var(--pass-bg)}\n"
    ".st-failed{color:var(--fail);background:var(--fail-bg)}\n"
    ".st-skipped{color:var(--skip);background:var(--skip-bg)}\n"
    ".st-error{color:var(--err);background:var(--err-bg)}\n"
    ".cc{color:var(--cc);background:var(--cc-bg);border-radius:2px;padding:0 1px}\n"
    ".nl{color:var(--muted)}\n"
    ".meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}\n"
    ".meta dt{font-weight:600}.meta dd{margin:0}\n"
    ".scroll{overflow-x:auto}\n"
    "@media (max-width:40rem){body{padding:.5rem}.meta{grid-template-columns:1fr}"
    ".meta dd{margin-bottom:.3rem}}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}a{color:inherit}"
    "h2{break-after:avoid}pre{border-color:#888}.noprint{display:none}}\n";

/* Code points shown as an escape rather than as themselves: no visible form, or an effect on
 * the text around them (bidi reordering, line separation), or an HTML parse error. */
static bool html_hidden_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
           (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

static void html_mark(struct strbuf *sb, const char *text)
{
    strbuf_addstr(sb, "<span class=\"cc\">");
    strbuf_addstr(sb, text);
    strbuf_addstr(sb, "</span>");
}

static void html_control(struct strbuf *sb, uint32_t cp, enum html_nl nl)
{
    char buf[16];
    if (cp == '\n') {
        strbuf_addstr(sb, "<span class=\"nl\">\xE2\x8F\x8E</span>"); /* ⏎ */
        if (nl == HTML_VALUE)
            strbuf_addstr(sb, "\n");
        return;
    }
    if (cp == '\t' && nl == HTML_BLOCK) {
        strbuf_addstr(sb, "\t");
        return;
    }
    if (cp == '\r')
        snprintf(buf, sizeof buf, "\\r");
    else if (cp == '\t')
        snprintf(buf, sizeof buf, "\\t");
    else if (cp < 0x80)
        snprintf(buf, sizeof buf, "\\x%02x", (unsigned)cp);
    else
        snprintf(buf, sizeof buf, "\\u%04x", (unsigned)cp);
    html_mark(sb, buf);
}

static bool html_entity(struct strbuf *sb, char c)
{
    switch (c) {
    case '&':
        strbuf_addstr(sb, "&amp;");
        return true;
    case '<':
        strbuf_addstr(sb, "&lt;");
        return true;
    case '>':
        strbuf_addstr(sb, "&gt;");
        return true;
    case '"':
        strbuf_addstr(sb, "&quot;");
        return true;
    case '\'':
        strbuf_addstr(sb, "&#39;");
        return true;
    default:
        return false;
    }
}

void html_escape(struct strbuf *sb, const char *s, enum html_nl nl)
{
    size_t n = s ? strlen(s) : 0;
    strbuf_add(sb, "", 0);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t bad = 0, k = util_utf8_decode(s + i, n - i, &cp, &bad);
        if (!k) {
            /* One U+FFFD per maximal invalid subpart, as result_text does. */
            html_mark(sb, "\xEF\xBF\xBD");
            i += bad;
            continue;
        }
        if (nl == HTML_BLOCK && cp == '\n')
            strbuf_addstr(sb, "\n");
        else if (cp < 0x20 || cp == 0x7F || html_hidden_cp(cp))
            html_control(sb, cp, nl);
        else if (cp == 0xFFFD)
            html_mark(sb, "\xEF\xBF\xBD");
        else if (!html_entity(sb, s[i]))
            strbuf_add(sb, s + i, k);
        i += k;
    }
}

void html_pre(struct strbuf *sb, const char *cls, const char *s, enum html_nl nl)
{
    strbuf_addstr(sb, "<pre");
    if (cls)
        strbuf_addf(sb, " class=\"%s\"", cls);
    /* A line feed right after <pre> is dropped by every HTML parser: this one is, so a value
     * that begins with a line feed keeps it. */
    strbuf_addstr(sb, ">\n");
    if (s && *s)
        html_escape(sb, s, nl);
    else
        strbuf_addstr(sb, "<span class=\"muted\">(empty)</span>");
    strbuf_addstr(sb, "</pre>");
}

void html_url_segment(struct strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            strbuf_add(sb, p, 1);
        else
            strbuf_addf(sb, "%%%02X", *p);
    }
}

char *html_shell_quote(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    s = s ? s : "";
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        "._/-+=:,@%") == strlen(s)) {
        strbuf_addstr(&sb, s);
        return strbuf_detach(&sb);
    }
    strbuf_addstr(&sb, "'");
    for (; *s; s++) {
        if (*s == '\'')
            strbuf_addstr(&sb, "'\\''");
        else
            strbuf_add(&sb, s, 1);
    }
    strbuf_addstr(&sb, "'");
    return strbuf_detach(&sb);
}

void html_page_begin(struct strbuf *sb, const char *title, const char *css, const char *script)
{
    struct strbuf style;
    char style_hash[45], script_hash[45];
    strbuf_init(&style);
    strbuf_addstr(&style, html_base_css);
    strbuf_addstr(&style, css ? css : "");
    sha256_base64(style.data, style.len, style_hash);
    if (script)
        sha256_base64(script, strlen(script), script_hash);
    strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    /* Nothing is fetched: no default source, only this style and this script by hash, and
     * the empty data: icon below (without it a browser asks the server for /favicon.ico). */
    strbuf_addf(sb, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                "style-src 'sha256-%s'; script-src %s%s%s; img-src data:; base-uri 'none'; "
                "form-action 'none'\">\n", style_hash, script ? "'sha256-" : "'none'",
                script ? script_hash : "", script ? "'" : "");
    strbuf_addstr(sb, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"referrer\" content=\"no-referrer\">\n"
                  "<link rel=\"icon\" href=\"data:,\">\n<title>");
    html_escape(sb, title, HTML_INLINE);
    strbuf_addstr(sb, "</title>\n<style>");
    strbuf_add(sb, style.data, style.len);
    strbuf_addstr(sb, "</style>\n</head>\n<body>\n");
    strbuf_release(&style);
}

void html_page_end(struct strbuf *sb, const char *script)
{
    if (script) {
        strbuf_addstr(sb, "<script>");
        strbuf_addstr(sb, script);
        strbuf_addstr(sb, "</script>\n");
    }
    strbuf_addstr(sb, "</body>\n</html>\n");
}
