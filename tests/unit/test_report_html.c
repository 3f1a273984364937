/* Tests of the HTML pages: the escaper (hostile bytes become escaped, visible text; nothing
 * can become markup), the student page (only the grader's own tags, CSP, student view), the
 * SHA-256 its CSP relies on, and the dashboard's numbers (histogram bins, mean, median, the
 * failure table's groups) as written into DIR/index.html. The browser test is
 * tests/e2e/test_html.py. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/dashboard.h"
#include "batch/gradebook.h"
#include "batch/histogram.h"
#include "report/html.h"
#include "report_samples.h"
#include "util/sha256.h"

#define CC(x) "<span class=\"cc\">" x "</span>"
#define NL "<span class=\"nl\">\xE2\x8F\x8E</span>"

/* ---- the escaper ------------------------------------------------------------------------- */

/* Strings inline, not pointers: Criterion re-executes the binary for each test, so a
 * pointer in a parameter would point into another process's (randomised) image. */
struct esc_case {
    char name[24];
    char in[48];
    enum html_nl nl;
    char want[256];
};

#define ESC(n, i, m, w) { n, i, m, w }
static struct esc_case esc_cases[] = {
    ESC("markup", "</pre><script>alert(1)</script>", HTML_INLINE,
        "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
    ESC("attribute", "<img src=x onerror=\"alert('2')\">", HTML_INLINE,
        "&lt;img src=x onerror=&quot;alert(&#39;2&#39;)&quot;&gt;"),
    ESC("entity", "&amp; &lt;", HTML_INLINE, "&amp;amp; &amp;lt;"),
    ESC("c0", "a\x1b[31m\x07\x01\x7f", HTML_INLINE, "a" CC("\\x1b") "[31m" CC("\\x07") CC("\\x01") CC("\\x7f")),
    ESC("cr-tab", "a\rb\tc", HTML_VALUE, "a" CC("\\r") "b" CC("\\t") "c"),
    ESC("tab-block", "a\tb", HTML_BLOCK, "a\tb"),
    ESC("c1", "\xC2\x9B" "2J \xC2\x85", HTML_INLINE, CC("\\u009b") "2J " CC("\\u0085")),
    ESC("bidi", "\xE2\x80\xAE" "evil\xE2\x81\xA6", HTML_INLINE, CC("\\u202e") "evil" CC("\\u2066")),
    ESC("invisible", "\xE2\x80\x8B\xEF\xBB\xBF\xE2\x80\xA8", HTML_INLINE,
        CC("\\u200b") CC("\\ufeff") CC("\\u2028")),
    ESC("noncharacter", "\xEF\xBF\xBE\xEF\xB7\x90", HTML_INLINE, CC("\\ufffe") CC("\\ufdd0")),
    ESC("invalid", "a\xFF\xC0\xAF" "b\xED\xA0\x80" "c\xE2\x82", HTML_INLINE,
        "a" CC("\xEF\xBF\xBD") CC("\xEF\xBF\xBD") CC("\xEF\xBF\xBD") "b" CC("\xEF\xBF\xBD")
        CC("\xEF\xBF\xBD") CC("\xEF\xBF\xBD") "c" CC("\xEF\xBF\xBD")),
    ESC("replacement-marked", "\xEF\xBF\xBD", HTML_INLINE, CC("\xEF\xBF\xBD")),
    ESC("nl-inline", "a\nb", HTML_INLINE, "a" NL "b"),
    ESC("nl-value", "a\nb\n", HTML_VALUE, "a" NL "\nb" NL "\n"),
    ESC("nl-block", "a\nb", HTML_BLOCK, "a\nb"),
    ESC("korean", "\xED\x95\x9C\xEA\xB8\x80 ok", HTML_INLINE, "\xED\x95\x9C\xEA\xB8\x80 ok"),
};

ParameterizedTestParameters(html, escape)
{
    return cr_make_param_array(struct esc_case, esc_cases, sizeof esc_cases / sizeof esc_cases[0]);
}

ParameterizedTest(struct esc_case *c, html, escape)
{
    struct strbuf sb;
    strbuf_init(&sb);
    html_escape(&sb, c->in, c->nl);
    cr_assert_str_eq(sb.data, c->want, "case %s", c->name);
    strbuf_release(&sb);
}

Test(html, pre_keeps_a_leading_line_feed)
{
    struct strbuf sb;
    strbuf_init(&sb);
    html_pre(&sb, NULL, "\nx", HTML_BLOCK);
    /* The parser drops the first line feed after <pre>: the one the writer adds. */
    cr_assert_str_eq(sb.data, "<pre>\n\nx</pre>");
    strbuf_release(&sb);
}

Test(html, url_segment_and_shell_quote)
{
    struct strbuf sb;
    strbuf_init(&sb);
    html_url_segment(&sb, "x\"><img src=x onerror=alert(7)>");
    cr_assert_str_eq(sb.data, "x%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%287%29%3E");
    strbuf_release(&sb);
    strbuf_init(&sb);
    html_url_segment(&sb, "javascript:a-b.c_d~\xED\x95\x9C");
    cr_assert_str_eq(sb.data, "javascript%3Aa-b.c_d~%ED%95%9C");
    strbuf_release(&sb);
    char *q = html_shell_quote("subs/20231234"), *r = html_shell_quote("it's $(rm -rf)");
    cr_assert_str_eq(q, "subs/20231234");
    cr_assert_str_eq(r, "'it'\\''s $(rm -rf)'");
    free(q);
    free(r);
}

Test(sha256, known_answers)
{
    char b64[45];
    sha256_base64("abc", 3, b64);
    cr_assert_str_eq(b64, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    sha256_base64("", 0, b64);
    cr_assert_str_eq(b64, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    /* 56 bytes: the padding needs a second block. */
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t d[SHA256_LEN];
    sha256(two, sizeof two - 1, d);
    cr_assert_eq(d[0], 0x24);
    cr_assert_eq(d[31], 0xc1);
}

/* ---- the student page -------------------------------------------------------------------- */

/* Every '<' in the page opens one of the grader's own tags: nothing from the model became
 * markup. Returns the first stranger, or NULL. */
static const char *stranger_tag(const char *doc)
{
    static const char *const own[] = { "!DOCTYPE", "html", "head", "meta", "link", "title",
        "style", "body", "header", "main", "footer", "section", "h1", "h2", "h3", "p", "span",
        "strong", "code", "pre", "dl", "dt", "dd", "ol", "ul", "li", "div", "table", "caption",
        "thead", "tbody", "tr", "th", "td", "a", NULL };
    for (const char *p = strchr(doc, '<'); p; p = strchr(p + 1, '<')) {
        const char *name = p[1] == '/' ? p + 2 : p + 1;
        size_t len = strcspn(name, " >\n");
        bool ok = false;
        for (size_t i = 0; own[i] && !ok; i++)
            ok = strlen(own[i]) == len && strncmp(own[i], name, len) == 0;
        if (!ok)
            return p;
    }
    return NULL;
}

static char *style_of(const char *doc)
{
    const char *a = strstr(doc, "<style>"), *b = strstr(doc, "</style>");
    cr_assert(a && b);
    return xstrndup(a + 7, (size_t)(b - a - 7));
}

Test(report_html, hostile_text_never_becomes_markup)
{
    struct run_result *r = hostile_sample();
    free(r->submission);
    r->submission = xstrdup("subs/x\"><script>alert(1)</script>");
    free(r->programs[0].checks[1].expected);
    r->programs[0].checks[1].expected = xstrdup("</pre><img src=x onerror=alert(2)>\x1b]0;t\x07");
    struct report_options o = { .color = false };
    char *doc = report_render(r, FORMAT_HTML, &o);
    const char *bad = stranger_tag(doc);
    cr_assert_null(bad, "markup from the model: %.60s", bad);
    cr_assert(valid_utf8((const unsigned char *)doc));
    cr_assert(!has_raw_control(doc, "\n\t"), "a raw control byte");
    cr_assert(strstr(doc, "&lt;/pre&gt;&lt;img src=x onerror=alert(2)&gt;" CC("\\x1b") "]0;t" CC("\\x07")));
    cr_assert(strstr(doc, "subs/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    /* the replay command quotes the path for the shell, then the page escapes it */
    cr_assert(strstr(doc, "sockgrade check --seed 18446744073709551615 &#39;subs/x&quot;&gt;"));
    free(doc);
    run_free(r);
}

Test(report_html, csp_allows_its_style_and_no_script)
{
    struct run_result *r = sample();
    char *doc = report_html(r, NULL), *style = style_of(doc), hash[45], *want;
    sha256_base64(style, strlen(style), hash);
    want = xasprintf("content=\"default-src 'none'; style-src 'sha256-%s'; script-src 'none';", hash);
    cr_assert(strstr(doc, want), "%s", want);
    cr_assert_null(strstr(doc, "<script"));
    cr_assert(strstr(doc, "<html lang=\"en\">"));
    cr_assert(strstr(doc, "name=\"viewport\""));
    free(want);
    free(style);
    free(doc);
    run_free(r);
}

Test(report_html, statuses_in_words_and_student_view)
{
    struct run_result *r = sample();
    struct report_options student = { .student_view = true }, full = { .color = false };
    char *s = report_html(r, &student), *f = report_html(r, &full);
    cr_assert(strstr(s, "<span class=\"status st-passed\">\xE2\x9C\x93 passed</span>"));
    cr_assert(strstr(s, "<span class=\"status st-failed\">\xE2\x9C\x97 failed</span>"));
    cr_assert(strstr(s, "<span class=\"status st-skipped\">\xE2\x80\x93 skipped</span>"));
    cr_assert(strstr(s, "hello world" NL));
    cr_assert(strstr(s, "udp_echocli.c:3:1: error: expected &#39;;&#39;"), "build diagnostics");
    cr_assert(strstr(s, "gcc -o udp_echocli udp_echocli.c"));
    cr_assert(strstr(s, "get_host_byaddr"));
    cr_assert_null(strstr(s, "SECRET-ACTUAL"));
    cr_assert_null(strstr(s, "LATER-EXPECTED"));
    cr_assert(strstr(f, "SECRET-ACTUAL"));
    free(s);
    free(f);
    run_free(r);
}

/* ---- histogram numbers -------------------------------------------------------------------- */

static void assert_counts(const struct histogram *h, const size_t *want, size_t n)
{
    cr_assert_eq(h->nbins, n, "%zu bins, expected %zu", h->nbins, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(h->count[i], want[i], "bin %zu: %zu, expected %zu", i, h->count[i], want[i]);
}

Test(histogram, one_bin_per_point_for_a_small_whole_maximum)
{
    static const double v[] = { 0, 0, 0, 7, 11, 7.5 };
    static const size_t want[12] = { 3, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1 };
    struct histogram h;
    histogram_make(&h, v, 6, 11);
    assert_counts(&h, want, 12);
    cr_assert_float_eq(h.width, 1, 1e-12);
    cr_assert_float_eq(h.mean, 25.5 / 6, 1e-12);
    cr_assert_float_eq(h.median, 3.5, 1e-12, "even count: the mean of the middle two");
    histogram_free(&h);
}

Test(histogram, round_widths_for_a_large_maximum)
{
    static const double v[] = { 57, 55, 54.99, 0, 12, 60, -1 };
    static const size_t want[12] = { 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 3 };
    struct histogram h;
    histogram_make(&h, v, 7, 57);
    cr_assert_float_eq(h.width, 5, 1e-12);
    /* 60 and -1 are clamped into 0..57: the last bin, "55 to 57", also holds the maximum */
    assert_counts(&h, want, 12);
    cr_assert_float_eq(h.median, 54.99, 1e-12);
    histogram_free(&h);
    histogram_make(&h, v, 0, 100);
    cr_assert_float_eq(h.width, 10, 1e-12);
    cr_assert_eq(h.nbins, 11);
    cr_assert_eq(h.n, 0);
    histogram_free(&h);
    histogram_make(&h, v, 7, 0);
    cr_assert_eq(h.nbins, 1);
    cr_assert_eq(h.count[0], 7, "a maximum of 0 puts everyone in one bin");
    histogram_free(&h);
    histogram_make(&h, v, 3, 7.5);
    cr_assert_float_eq(h.width, 1, 1e-12, "7.5 is not whole: the round widths, the first under 12 bars");
    cr_assert_eq(h.nbins, 8);
    histogram_free(&h);
}

/* The sum of the data-count attributes of the bars in the figure with the given id. */
static size_t bars_in(const char *doc, const char *id)
{
    char *open = xasprintf("<figure id=\"%s\">", id);
    const char *p = strstr(doc, open), *end = p ? strstr(p, "</figure>") : NULL;
    size_t sum = 0;
    cr_assert(p && end, "no figure %s", id);
    for (p = strstr(p, "data-count=\""); p && p < end; p = strstr(p + 1, "data-count=\""))
        sum += strtoul(p + 12, NULL, 10);
    free(open);
    return sum;
}

Test(histogram, svg_bars_add_up)
{
    static const double v[] = { 1, 2, 2, 3, 9 };
    struct histogram h;
    struct strbuf sb;
    strbuf_init(&sb);
    histogram_make(&h, v, 5, 9);
    strbuf_addstr(&sb, "<figure id=\"t\">");
    histogram_svg(&sb, &h, "t", "<b>label</b>", false);
    strbuf_addstr(&sb, "</figure>");
    cr_assert_eq(bars_in(sb.data, "t"), 5);
    cr_assert(strstr(sb.data, "&lt;b&gt;label&lt;/b&gt;: 5 students, mean 3.4, median 2"), "%s", sb.data);
    cr_assert(strstr(sb.data, "<rect class=\"bar\" data-count=\"2\" data-lo=\"2\""));
    histogram_free(&h);
    strbuf_release(&sb);
}

/* ---- the dashboard ------------------------------------------------------------------------ */

static char dir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void put_report(const char *student, struct run_result *r)
{
    char err[UTIL_ERRLEN], *path = xasprintf("%s/%s.json", dir, student), *json = result_json_write(r);
    cr_assert_eq(util_write_file_atomic(path, json, strlen(json), err, sizeof err), 0, "%s", err);
    free(json);
    free(path);
    run_free(r);
}

static char *read_in(const char *name)
{
    char *path = xasprintf("%s/%s", dir, name), *text = util_read_file(path, NULL, NULL, 0);
    free(path);
    return text;
}

static const char hostile_name[] = "x\"><img src=x onerror=alert(7)>";

/* ann passes everything (11 points), bob and cid are the sample (1 point each), the hostile
 * name holds the hostile sample, and err is a grader error. */
static void make_class(struct gradebook *gb)
{
    char err[UTIL_ERRLEN];
    struct run_result *r = sample();
    for (size_t i = 0; i < r->nprograms; i++)
        for (size_t k = 0; k < r->programs[i].nchecks; k++) {
            r->programs[i].checks[k].status = STATUS_PASSED;
            r->programs[i].checks[k].score = r->programs[i].checks[k].max_score;
        }
    result_total(r);
    put_report("ann", r);
    put_report("bob", sample());
    put_report("cid", sample());
    put_report(hostile_name, hostile_sample());
    r = xcalloc(1, sizeof *r);
    r->error = xstrdup("the worker grading this student was killed by signal 9");
    put_report("err", r);
    gradebook_init(gb);
    cr_assert_eq(gradebook_load_dir(gb, dir, err, sizeof err), 5, "%s", err);
    cr_assert_eq(dashboard_write(gb, dir, err, sizeof err), 0, "%s", err);
}

static void dash_setup(void)
{
    strcpy(dir, "/tmp/sockgrade-dash.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void dash_teardown(void)
{
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

Test(dashboard, numbers_links_and_errors, .init = dash_setup, .fini = dash_teardown)
{
    struct gradebook gb;
    make_class(&gb);
    char *doc = read_in("index.html");
    cr_assert_not_null(doc);
    cr_assert_eq(bars_in(doc, "hist-total"), 4, "the grader error is left out of the bars");
    cr_assert(strstr(doc, "N = <span class=\"stat-n\">4</span> \xC2\xB7 mean <span class=\"stat-mean\">3.5</span>"),
              "mean of 11, 1, 1, 1");
    cr_assert(strstr(doc, "median <span class=\"stat-median\">1</span>"));
    cr_assert(strstr(doc, "! 1 grader error: this student is left out"));
    cr_assert(strstr(doc, "<a href=\"x%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%287%29%3E.html\">"
                          "x&quot;&gt;&lt;img src=x onerror=alert(7)&gt;</a>"));
    cr_assert_null(strstr(doc, "<img"));
    /* echo_line: failed by bob, cid (the same "hello\n") and the hostile sample */
    cr_assert(strstr(doc, "<td class=\"num\" data-v=\"0.750000\"><span class=\"rate\">75%</span> "
                          "<span class=\"muted\">(3 of 4)</span>"), "echo_line's rate");
    cr_assert(strstr(doc, "<tr><td class=\"num\">2</td><td><pre>\nhello" NL "\n</pre>"), "grouped values");
    cr_assert(strstr(doc, "2 different actual values among them"));
    const char *sc = strstr(doc, "<script>"), *end = strstr(doc, "</script>");
    cr_assert(sc && end && !strstr(end + 1, "<script"), "exactly one script, the page's own");
    char *script = xstrndup(sc + 8, (size_t)(end - sc - 8)), hash[45];
    sha256_base64(script, strlen(script), hash);
    char *csp = xasprintf("script-src 'sha256-%s'", hash);
    cr_assert(strstr(doc, csp), "the script's hash in the CSP");
    for (size_t i = 0; i < gb.nrows; i++) {
        char *page = xasprintf("%s.html", gb.rows[i].student), *text = read_in(page);
        cr_assert_not_null(text, "no %s", page);
        cr_assert_null(stranger_tag(text), "%s", page);
        free(text);
        free(page);
    }
    free(csp);
    free(script);
    free(doc);
    gradebook_free(&gb);
}

Test(dashboard, page_rendered_again_only_when_older_than_its_report, .init = dash_setup,
     .fini = dash_teardown)
{
    struct gradebook gb;
    char err[UTIL_ERRLEN], *html = xasprintf("%s/bob.html", dir), *json = xasprintf("%s/bob.json", dir);
    make_class(&gb);
    cr_assert_eq(util_write_file_atomic(html, "kept", 4, err, sizeof err), 0);
    struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
    cr_assert_eq(utimensat(AT_FDCWD, json, t, 0), 0);
    cr_assert_eq(dashboard_write(&gb, dir, err, sizeof err), 0, "%s", err);
    char *text = read_in("bob.html");
    cr_assert_str_eq(text, "kept", "a page newer than its report is left alone");
    free(text);
    t[0].tv_sec = t[1].tv_sec = 2000;
    cr_assert_eq(utimensat(AT_FDCWD, html, t, 0), 0);
    t[0].tv_sec = t[1].tv_sec = 3000;
    cr_assert_eq(utimensat(AT_FDCWD, json, t, 0), 0);
    cr_assert_eq(dashboard_write(&gb, dir, err, sizeof err), 0, "%s", err);
    text = read_in("bob.html");
    cr_assert(strstr(text, "</html>"), "an older page is rendered again from the report");
    free(text);
    free(html);
    free(json);
    gradebook_free(&gb);
}
