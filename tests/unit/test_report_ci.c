/* Tests of the report writers that course platforms read: Gradescope's results.json (required
 * fields, statuses) and JUnit XML (well-formed, counts, hostile text escaped). */
#include "report_samples.h"

/* ---- Gradescope ------------------------------------------------------------------------- */

Test(report_gradescope, required_fields_and_statuses)
{
    static const char *const top[] = { "score", "execution_time", "output", "visibility",
        "stdout_visibility", "tests", NULL };
    static const char *const test[] = { "name", "number", "score", "max_score", "status",
        "output", "tags", "visibility", NULL };
    static const char *const want_status[] = { "passed", "failed", "failed", "failed",
        "failed", "failed" };
    static const char *const want_vis[] = { "visible", "visible", "visible", "hidden",
        "after_due_date", "visible" };
    struct run_result *r = sample();
    char *out = report_gradescope(r);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root);
    assert_members(root, top, "results.json");
    cr_assert_null(cJSON_GetObjectItem(root, "max_score"), "not a Gradescope top-level key");
    cr_assert_float_eq(cJSON_GetObjectItem(root, "score")->valuedouble, 1, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(root, "execution_time")->valuedouble, 2, 1e-9);
    const char *output = cJSON_GetObjectItem(root, "output")->valuestring;
    cr_assert(strstr(output, "udp_echocli.c:3:1: error: expected ';'"), "build output: %s", output);
    cr_assert(strstr(output, "get_host_byaddr.c was not found"));
    const cJSON *tests = cJSON_GetObjectItem(root, "tests");
    cr_assert_eq(cJSON_GetArraySize(tests), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *t = cJSON_GetArrayItem(tests, i);
        assert_members(t, test, "test");
        cr_assert_str_eq(cJSON_GetObjectItem(t, "status")->valuestring, want_status[i], "test %d", i);
        cr_assert_str_eq(cJSON_GetObjectItem(t, "visibility")->valuestring, want_vis[i], "test %d", i);
        cr_assert(cJSON_IsString(cJSON_GetObjectItem(t, "number")));
    }
    const cJSON *t1 = cJSON_GetArrayItem(tests, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(t1, "name")->valuestring, "tcp_echocli: echo_line");
    cr_assert(strstr(cJSON_GetObjectItem(t1, "output")->valuestring, "expected: hello world"));
    cr_assert_float_eq(cJSON_GetObjectItem(t1, "max_score")->valuedouble, 3, 1e-9);
    cJSON_Delete(root);
    free(out);
    run_free(r);
}

/* ---- JUnit ------------------------------------------------------------------------------ */

/* A small well-formedness check: balanced tags, quoted attributes, known entities, no '<'
 * or '&' loose in text, only XML 1.0 characters. Enough to catch an escaping slip. */
static const char *xml_entity(const char *p)
{
    static const char *const names[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
    for (size_t i = 0; i < 5; i++)
        if (strncmp(p, names[i], strlen(names[i])) == 0)
            return p + strlen(names[i]);
    if (p[1] != '#')
        return NULL;
    size_t n = strspn(p + 2, "0123456789");
    return n && p[2 + n] == ';' ? p + 3 + n : NULL;
}

static const char *xml_chars(const char *p, const char *stop)
{
    while (*p && !strchr(stop, *p)) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == '<')
            return NULL;
        p = c == '&' ? xml_entity(p) : p + 1;
        if (!p)
            return NULL;
    }
    return p;
}

static bool xml_well_formed(const char *doc)
{
    char stack[16][64];
    int depth = 0, roots = 0;
    const char *p = strstr(doc, "?>");
    if (strncmp(doc, "<?xml ", 6) != 0 || !p || !valid_utf8((const unsigned char *)doc))
        return false;
    for (p += 2; *p;) {
        if (*p != '<') {
            if (!(p = xml_chars(p, "<")))
                return false;
            continue;
        }
        bool close = p[1] == '/';
        size_t n = strcspn(p + 1 + close, " />\n");
        if (n == 0 || n >= 64)
            return false;
        if (close) {
            if (depth == 0 || strncmp(stack[depth - 1], p + 2, n) || stack[depth - 1][n] ||
                p[2 + n] != '>')
                return false;
            depth--;
            p += 3 + n;
            continue;
        }
        const char *name = p + 1;
        for (p = name + n; *p == ' ' || *p == '\n';) {
            p += strspn(p, " \n");
            size_t an = strcspn(p, "=/> ");
            if (an == 0 || p[an] != '=' || p[an + 1] != '"' ||
                !(p = xml_chars(p + an + 2, "\"")) || *p != '"')
                return false;
            p++;
        }
        bool empty = *p == '/';
        if (p[empty] != '>' || (depth == 0 && roots++) || depth == 16)
            return false;
        if (!empty)
            snprintf(stack[depth++], 64, "%.*s", (int)n, name);
        p += 1 + empty;
    }
    return depth == 0 && roots == 1;
}

Test(report_junit, checker_rejects_broken_xml)
{
    cr_assert(xml_well_formed("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n"));
    cr_assert(!xml_well_formed("<?xml version=\"1.0\"?>\n<a><b></a></b>"));
    cr_assert(!xml_well_formed("<?xml version=\"1.0\"?>\n<a>1 < 2</a>"));
    cr_assert(!xml_well_formed("<?xml version=\"1.0\"?>\n<a>R&D</a>"));
    cr_assert(!xml_well_formed("<?xml version=\"1.0\"?>\n<a x=\"\"\"/>"));
    cr_assert(!xml_well_formed("<?xml version=\"1.0\"?>\n<a>\x1b</a>"));
}

Test(report_junit, structure_and_counts)
{
    struct run_result *r = sample();
    char *out = report_junit(r);
    cr_assert(xml_well_formed(out), "%s", out);
    cr_assert(strstr(out, "<testsuites name=\"sockgrade\" tests=\"8\" failures=\"3\" errors=\"1\" "
                          "skipped=\"3\" time=\"1.234\">"), "%s", out);
    cr_assert(strstr(out, "<testsuite name=\"tcp_echocli\" tests=\"5\" failures=\"3\" "
                          "errors=\"0\" skipped=\"1\" time=\"0.360\">"), "%s", out);
    cr_assert(strstr(out, "<testcase classname=\"sockgrade.tcp_echocli\" name=\"compiles\" "
                          "time=\"0.012\"/>"));
    cr_assert(strstr(out, "<failure message=\"echoes one line\" type=\"core\">expected: hello "
                          "world\xE2\x8F\x8E\nactual:   hello\xE2\x8F\x8E\nhint:     read()"), "%s", out);
    cr_assert(strstr(out, "<skipped message=\"not run: echo_line failed\"/>"));
    cr_assert(strstr(out, "name=\"build\" time=\"0.000\">\n      <error message=\"build failed\""));
    cr_assert(strstr(out, "expected &apos;;&apos;"), "diagnostics escaped");
    cr_assert(strstr(out, "name=\"get_host_byaddr.c\""), "missing program listed");
    free(out);
    run_free(r);
}

Test(report_junit, hidden_checks_keep_their_details)
{
    struct run_result *r = sample();
    char *out = report_junit(r);
    cr_assert(xml_well_formed(out), "%s", out);
    cr_assert(!strstr(out, "SECRET-"), "a hidden check leaks: %s", out);
    cr_assert(!strstr(out, "LATER-"), "an after-due-date check leaks: %s", out);
    cr_assert(strstr(out, "(hidden check)"), "%s", out);
    cr_assert(strstr(out, "(details after the due date)"), "%s", out);
    free(out);
    run_free(r);
}

Test(report_text, student_view_hides_hidden_checks)
{
    struct run_result *r = sample();
    struct report_options o = { .student_view = true };
    char *out = report_text(r, &o);
    cr_assert(!strstr(out, "SECRET-") && !strstr(out, "LATER-"), "%s", out);
    free(out);
    run_free(r);
}

Test(report_junit, escapes_hostile_text)
{
    struct run_result *r = hostile_sample();
    r->error = xstrdup("internal <error> & \"quotes\"");
    r->programs[0].checks[1].status = STATUS_ERROR;
    char *out = report_junit(r);
    cr_assert(xml_well_formed(out), "%s", out);
    cr_assert(!has_raw_control(out, "\n\t"), "only \\t and \\n may stay raw");
    cr_assert(strstr(out, "message=\"hidden &lt;&amp;&quot;&gt; one\""), "%s", out);
    cr_assert(strstr(out, "message=\"internal &lt;error&gt; &amp; &quot;quotes&quot;\""));
    cr_assert(strstr(out, "message=\"a\\x1b[2J\\x1b]0;pwned\\x07&lt;&amp;&quot;&apos;&gt;"
                          "\\x01\\x7f&#13;&#9;"), "%s", out);
    cr_assert(strstr(out, "<error message=\"a\\x1b"), "a check error is an <error>");
    free(out);
    run_free(r);
}

