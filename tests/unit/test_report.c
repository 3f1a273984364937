/* Tests of the report writers read by people and the instructor's record: the native JSON
 * (fields, validity with hostile bytes, round trip through result_json_read), the terminal
 * text (details, escaping, colour, student view) and the format dispatch. */
#include "report_samples.h"
#include "report/report_int.h"
Test(report_json, has_every_field)
{
    static const char *const top[] = { "schema", "grader_version", "seed", "sandbox",
        "submission", "score", "max_score", "duration_ms", "status", "programs", "missing",
        "near_misses", NULL };
    static const char *const prog[] = { "name", "source", "score", "max_score", "build",
        "checks", NULL };
    static const char *const build[] = { "status", "command", "diagnostics", "duration_ms", NULL };
    static const char *const check[] = { "id", "description", "level", "visibility", "status",
        "score", "max_score", "expected", "actual", "hint", "duration_ms", NULL };
    struct run_result *r = sample();
    char *out = result_json_write(r);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root);
    assert_members(root, top, "$");
    cr_assert_null(cJSON_GetObjectItem(root, "error"), "error only when set");
    cr_assert_str_eq(cJSON_GetObjectItem(root, "schema")->valuestring, RESULT_SCHEMA);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "seed")->valuestring, "18446744073709551615");
    cr_assert_str_eq(cJSON_GetObjectItem(root, "status")->valuestring, "failed");
    cr_assert_float_eq(cJSON_GetObjectItem(root, "max_score")->valuedouble, 11, 1e-9);
    const cJSON *programs = cJSON_GetObjectItem(root, "programs");
    cr_assert_eq(cJSON_GetArraySize(programs), 2);
    const cJSON *p0 = cJSON_GetArrayItem(programs, 0);
    assert_members(p0, prog, "$.programs[0]");
    assert_members(cJSON_GetObjectItem(p0, "build"), build, "$.programs[0].build");
    const cJSON *checks = cJSON_GetObjectItem(p0, "checks");
    cr_assert_eq(cJSON_GetArraySize(checks), 5);
    const cJSON *c2 = cJSON_GetArrayItem(checks, 2);
    assert_members(c2, check, "$.programs[0].checks[2]");
    cr_assert_str_eq(cJSON_GetObjectItem(c2, "level")->valuestring, "robustness");
    cr_assert_str_eq(cJSON_GetObjectItem(c2, "status")->valuestring, "skipped");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(c2, "expected")));
    const cJSON *c3 = cJSON_GetArrayItem(checks, 3);
    cr_assert_str_eq(cJSON_GetObjectItem(c3, "visibility")->valuestring, "hidden");
    const cJSON *b1 = cJSON_GetObjectItem(cJSON_GetArrayItem(programs, 1), "build");
    cr_assert_str_eq(cJSON_GetObjectItem(b1, "status")->valuestring, "failed");
    const cJSON *nm = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "near_misses"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(nm, "file")->valuestring, "get_hostbyaddr.c");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "missing"), 0)->valuestring,
                     "get_host_byaddr");
    cJSON_Delete(root);
    free(out);
    run_free(r);
}

Test(report_json, status_passed_and_error)
{
    struct run_result *r = sample();
    r->nprograms = 1;
    for (size_t i = 0; i < r->programs[0].nchecks; i++)
        r->programs[0].checks[i].status = STATUS_PASSED;
    char *out = result_json_write(r);
    cr_assert(strstr(out, "\"status\":\t\"passed\""), "%s", out);
    free(out);
    r->error = xstrdup("sandbox: unshare: Operation not permitted");
    out = result_json_write(r);
    cJSON *root = cJSON_Parse(out);
    cr_assert_str_eq(cJSON_GetObjectItem(root, "status")->valuestring, "error");
    cr_assert_str_eq(cJSON_GetObjectItem(root, "error")->valuestring, r->error);
    cJSON_Delete(root);
    free(out);
    r->nprograms = 2;
    run_free(r);
}

Test(report_json, raw_bytes_still_valid)
{
    struct run_result *r = hostile_sample();
    char *gs = report_gradescope(r);
    char *out = result_json_write(r);
    for (int i = 0; i < 2; i++) {
        const char *doc = i ? gs : out;
        cr_assert(valid_utf8((const unsigned char *)doc), "writer %d", i);
        /* JSON lets DEL stand raw; everything below 0x20 must be escaped. */
        cr_assert(!has_raw_control(doc, "\n\t\x7f"), "writer %d: a raw control byte", i);
    }
    cJSON *g = cJSON_Parse(gs);
    cr_assert_not_null(g, "the Gradescope report is not JSON");
    cJSON_Delete(g);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root);
    const cJSON *c = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "programs"), 0),
                            "checks"), 1);
    const char *actual = cJSON_GetObjectItem(c, "actual")->valuestring;
    cr_assert(strncmp(actual, "a\x1b[2J", 5) == 0, "control bytes survive as JSON escapes");
    cr_assert(strstr(actual, "\xEF\xBF\xBD"), "invalid bytes became U+FFFD");
    cJSON_Delete(root);
    free(out);
    free(gs);
    run_free(r);
}

Test(report_json, huge_actual_valid)
{
    const unsigned seed = 20240917; /* fixed: the bytes are the same on every run */
    size_t n = 1 << 20;
    char *raw = xmalloc(n + 1);
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        raw[i] = (char)((x >> 16) & 0xFF);
        if (!raw[i])
            raw[i] = '\x80';
    }
    raw[n] = '\0';
    struct run_result *r = sample();
    free(r->programs[0].checks[1].actual);
    r->programs[0].checks[1].actual = raw;
    char *out = result_json_write(r);
    cr_assert(valid_utf8((const unsigned char *)out), "seed %u", seed);
    struct run_result *back = result_json_read(out, NULL, 0);
    cr_assert_not_null(back, "seed %u: the report does not parse back", seed);
    run_free(back);
    free(out);
    run_free(r);
}

Test(report_json, round_trip)
{
    char err[UTIL_ERRLEN] = "";
    struct run_result *r = sample();
    r->error = xstrdup("peer: bind 127.0.0.1:7: Address in use");
    r->programs[0].checks[1].score = 0.1 + 0.2; /* doubles must survive exactly */
    char *first = result_json_write(r);
    struct run_result *back = result_json_read(first, err, sizeof(err));
    cr_assert_not_null(back, "%s", err);
    cr_assert_eq(back->seed, UINT64_MAX);
    cr_assert_str_eq(back->error, r->error);
    cr_assert_eq(back->nprograms, 2);
    cr_assert_eq(back->programs[0].nchecks, 5);
    cr_assert_eq(back->programs[0].checks[1].score, 0.1 + 0.2);
    cr_assert_null(back->programs[0].checks[0].expected);
    cr_assert_eq(back->programs[0].checks[3].visibility, VIS_HIDDEN);
    cr_assert_eq(back->programs[0].checks[2].level, LEVEL_ROBUSTNESS);
    cr_assert_eq(back->programs[1].build.status, BUILD_FAILED);
    cr_assert_str_eq(back->near_misses[0].program, "get_host_byaddr");
    char *second = result_json_write(back);
    cr_assert_str_eq(first, second);
    free(first);
    free(second);
    run_free(back);
    run_free(r);
}

/* The evidence of a failed run, as check_evidence.c would record it. */
static struct check_evidence *evidence_sample(void)
{
    struct check_evidence *e = xcalloc(1, sizeof *e);
    e->command = xstrdup("./tcp_echocli 127.0.0.1");
    e->stdin_text = xstrdup("\"hello world\\n\"");
    e->npeers = 1;
    e->peers = xcalloc(2, sizeof *e->peers);
    e->peers[0] = xstrdup("TCP echo server on 127.0.0.1:7, echoes what it receives");
    e->ended = xstrdup("exit status 0");
    e->output = xstrdup("printed \"hello\\n\"");
    return e;
}

Test(report_json, evidence_round_trip_and_optional)
{
    char err[UTIL_ERRLEN] = "";
    struct run_result *r = sample();
    r->programs[0].checks[1].evidence = evidence_sample();
    char *first = result_json_write(r);
    cr_assert(strstr(first, "\"evidence\":\t{\n"), "%s", first);
    cr_assert(strstr(first, "\"evidence\":\tnull"), "a check without evidence says null");
    struct run_result *back = result_json_read(first, err, sizeof err);
    cr_assert_not_null(back, "%s", err);
    const struct check_evidence *e = back->programs[0].checks[1].evidence;
    cr_assert_not_null(e);
    cr_assert_str_eq(e->command, "./tcp_echocli 127.0.0.1");
    cr_assert_eq(e->npeers, 1);
    cr_assert_str_eq(e->peers[0], "TCP echo server on 127.0.0.1:7, echoes what it receives");
    cr_assert_str_eq(e->output, "printed \"hello\\n\"");
    cr_assert_null(back->programs[0].checks[0].evidence);
    char *second = result_json_write(back);
    cr_assert_str_eq(first, second);
    /* A report written before evidence existed has no key: it reads as none. */
    char *old = xstrdup(first);
    for (char *at; (at = strstr(old, "\"evidence\":\tnull,\n"));)
        memmove(at, at + strlen("\"evidence\":\tnull,\n"), strlen(at + strlen("\"evidence\":\tnull,\n")) + 1);
    struct run_result *older = result_json_read(old, err, sizeof err);
    cr_assert_not_null(older, "%s", err);
    cr_assert_null(older->programs[0].checks[0].evidence);
    run_free(older);
    free(old);
    free(first);
    free(second);
    run_free(back);
    run_free(r);
}

static void assert_parse_error(const char *json, const char *want)
{
    char err[UTIL_ERRLEN] = "";
    struct run_result *r = result_json_read(json, err, sizeof(err));
    cr_assert_null(r, "parsed: %s", json);
    cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

static char *replaced(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    cr_assert_not_null(at, "%s not in the report", from);
    return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

Test(report_json, parse_errors_name_the_path)
{
    struct run_result *r = sample();
    char *good = result_json_write(r);
    struct { const char *from, *to, *want; } cases[] = {
        { "sockgrade-report/1", "sockgrade-report/9", "$.schema: expected \"sockgrade-report/1\"" },
        { "\"skipped\"", "\"maybe\"", "$.programs[0].checks[2].status: expected" },
        { "\"18446744073709551615\"", "\"18446744073709551616\"", "$.seed" },
        { "\"seed\"", "\"sead\"", "$.seed: missing" },
        { "\"diagnostics\":\t\"\"", "\"diagnostics\":\t7", "$.programs[0].build.diagnostics" },
        { "\"duration_ms\":\t12\n", "\"duration_ms\":\t1.5\n", "$.programs[0].checks[0].duration_ms" },
        { "\"max_score\":\t11,", "\"max_score\":\t1e999,", "$.max_score: expected a number" },
        { "\"level\":\t\"robustness\"", "\"level\":\t\"extra\"",
          "$.programs[0].checks[2].level: expected core or robustness, got \"extra\"" },
        { "\"evidence\":\tnull", "\"evidence\":\t[]", "$.programs[0].checks[0].evidence: expected an object" },
        { "\"evidence\":\tnull", "\"evidence\":\t{\"command\": \"x\", \"stdin\": null, \"peers\": [1], "
          "\"ended\": null, \"output\": null}", "$.programs[0].checks[0].evidence.peers[0]: expected a string" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *bad = replaced(good, cases[i].from, cases[i].to);
        assert_parse_error(bad, cases[i].want);
        free(bad);
    }
    assert_parse_error("{\"schema\": ", "not valid JSON");
    assert_parse_error("[]", "$: expected an object");
    char *trailing = xasprintf("%s x", good);
    assert_parse_error(trailing, "not valid JSON");
    free(trailing);
    free(good);
    run_free(r);
}

/* ---- text ------------------------------------------------------------------------------- */

static char *text_of(const struct run_result *r, bool color, bool student)
{
    struct report_options o = { .color = color, .student_view = student };
    return report_text(r, &o);
}

Test(report_text, failure_details)
{
    struct run_result *r = sample();
    char *out = text_of(r, false, false);
    cr_assert(strstr(out, "  \xE2\x9C\x93 compiles  1/1\n"), "a pass is one short line: %s", out);
    cr_assert(strstr(out, "  \xE2\x9C\x97 echo_line  0/3  echoes one line\n"
                          "      expected: hello world\xE2\x8F\x8E\n"
                          "      actual:   hello\xE2\x8F\x8E\n"
                          "      hint:     read() may return fewer bytes\n"), "%s", out);
    cr_assert(strstr(out, "  - echo_pieces  0/2 robustness  reply in pieces  (skipped: not run: echo_line\n"
                          "      failed)\n"), "wrapped at 80 columns, hanging: %s", out);
    cr_assert(strstr(out, "tcp_echocli (tcp_echocli.c)  1/9  build ok\n"), "%s", out);
    cr_assert(strstr(out, "udp_echocli (udp_echocli.c)  0/2  build failed\n"
                          "    $ gcc -o udp_echocli udp_echocli.c\n"
                          "    udp_echocli.c:3:1: error: expected ';'\n"
                          "        3 | int x\n"), "%s", out);
    cr_assert(strstr(out, "missing: get_host_byaddr.c was not found\n"));
    cr_assert(strstr(out, "found get_hostbyaddr.c: did you mean get_host_byaddr.c?\n"));
    cr_assert(strstr(out, "program           points  failed  advisories  skipped  build\n"
                          "tcp_echocli       1/9          3           0        1  ok\n"
                          "udp_echocli       0/2          0           0        1  failed\n"),
              "one line per program: %s", out);
    cr_assert(strstr(out, "replay: sockgrade check --seed 18446744073709551615 subs/kim\n"), "%s", out);
    const char *last = "checks: 1 passed, 3 failed, 2 skipped\nscore 1/11 core points\n";
    size_t n = strlen(out), m = strlen(last);
    cr_assert(n > m && strcmp(out + n - m, last) == 0, "last line of:\n%s", out);
    free(out);
    run_free(r);
}

/* Columns of a line as a terminal shows it: Hangul takes two, colour escapes none. */
static size_t columns(const char *s, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b) {
            while (i < n && s[i] != 'm')
                i++;
            i++;
        } else if (c >= 0xEA && c <= 0xED) { /* U+A000..U+DFFF: the Hangul syllables here */
            cols += 2;
            i += 3;
        } else {
            cols += c < 0x80 || c >= 0xC0;
            i++;
        }
    }
    return cols;
}

Test(report_wrap, lines_fit_the_width_with_a_hanging_indent)
{
    const char *in = "      actual:   printed \"\xEC\x9D\x91\xEB\x8B\xB5 \xEC\x97\x86\xEC\x9D\x8C "
                     "\x1b[2m(time out)\x1b[0m\" and then a rather long tail of words that cannot fit\n"
                     "short\n"
                     "  x averyveryveryveryveryveryveryveryverylongwordwithoutanyspaceinsideofitatall\n";
    char *out = report_wrap(in, 40);
    size_t rows = 0;
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        cr_assert_leq(columns(p, n), 40, "row %zu too wide: %.*s", rows, (int)n, p);
        cr_assert(n == 0 || p[n - 1] != ' ', "a trailing blank at a break: '%.*s'", (int)n, p);
        rows++;
        p += n + (nl != NULL);
    }
    cr_assert(strstr(out, "\n                "), "continued under the value (16 columns): %s", out);
    cr_assert(strstr(out, "\nshort\n"), "a short line is left alone: %s", out);
    cr_assert(strstr(out, "\n      "), "a long word is cut, continued 4 in from its indent: %s", out);
    cr_assert_geq(rows, 6, "%s", out);
    char *copy = report_wrap(in, 0);
    cr_assert_str_eq(copy, in, "width 0 leaves the text as it is");
    free(copy);
    free(out);
}

Test(report_text, missing_said_once_and_not_for_one_file)
{
    struct run_result *r = sample();
    r->missing = xrealloc(r->missing, 3 * sizeof *r->missing);
    r->missing[1] = xstrdup("open_socket");
    r->missing[2] = xstrdup("dtablesize");
    r->nmissing = 3;
    char *out = text_of(r, false, false);
    cr_assert(strstr(out, "missing: 3 programs were not found: get_host_byaddr.c, open_socket.c,\n"
                          "         dtablesize.c\n"), "%s", out);
    free(out);
    free(r->submission);
    r->submission = xstrdup("subs/kim/tcp_echocli.c");
    out = text_of(r, false, false);
    cr_assert_null(strstr(out, "missing"), "one file checked: nothing else is missing: %s", out);
    free(out);
    run_free(r);
}

Test(report_text, missing_programs_count_in_the_maximum)
{
    struct run_result *r = sample();
    r->missing_max = xcalloc(1, sizeof *r->missing_max);
    r->missing_max[0] = 4;
    char *out = text_of(r, false, false);
    cr_assert(strstr(out, "missing: 1 program not handed in, 0/4 points: get_host_byaddr.c\n"), "%s", out);
    cr_assert(strstr(out, "score 1/15 core points (1 missing)\n"), "%s", out);
    free(out);
    free(r->submission);
    r->submission = xstrdup("subs/kim/tcp_echocli.c");
    out = text_of(r, false, false);
    cr_assert(strstr(out, "score 1/11 core points\n"), "one file: the others are not counted: %s", out);
    free(out);
    run_free(r);
}

Test(report_text, robustness_advisory_is_not_a_lost_point)
{
    struct run_result *r = sample();
    struct check_result *c = &r->programs[0].checks[1]; /* echo_line, failed */
    c->level = LEVEL_ROBUSTNESS;
    c->max_score = 0;
    char *out = text_of(r, true, false);
    cr_assert(strstr(out, "\x1b[33m\xE2\x96\xB3\x1b[0m echo_line  \x1b[33mrobustness advisory (0 points)"),
              "a yellow triangle, no points: %s", out);
    cr_assert(strstr(out, "checks: 1 passed, 2 failed, 1 robustness advisory, 2 skipped\n"), "%s", out);
    cr_assert(strstr(out, "score 1/11 core points \xC2\xB7 1 robustness advisory (0 points)"), "%s", out);
    free(out);
    run_free(r);
}

Test(report_text, evidence_lets_the_student_run_it_again)
{
    struct run_result *r = sample();
    r->programs[0].checks[1].evidence = evidence_sample();
    char *out = text_of(r, false, false);
    cr_assert(strstr(out, "  \xE2\x9C\x97 echo_line  0/3  echoes one line\n"
                          "      ran:      ./tcp_echocli 127.0.0.1\n"
                          "      stdin:    \"hello world\\n\"\n"
                          "      grader:   TCP echo server on 127.0.0.1:7, echoes what it receives\n"
                          "      expected: hello world\xE2\x8F\x8E\n"
                          "      actual:   hello\xE2\x8F\x8E\n"
                          "      ended:    exit status 0\n"
                          "      output:   printed \"hello\\n\"\n"
                          "      hint:     read() may return fewer bytes\n"), "%s", out);
    free(out);
    /* Output the actual value already quotes is not said twice. */
    free(r->programs[0].checks[1].actual);
    r->programs[0].checks[1].actual = xstrdup("it printed \"hello\\n\" only");
    free(r->programs[0].checks[1].evidence->output);
    r->programs[0].checks[1].evidence->output = xstrdup("\"hello\\n\"");
    out = text_of(r, false, false);
    cr_assert_null(strstr(out, "output:"), "%s", out);
    free(out);
    run_free(r);
}

Test(report_text, one_cause_said_once)
{
    struct run_result *r = sample();
    struct check_result *a = &r->programs[0].checks[1], *b = &r->programs[0].checks[2];
    b->status = STATUS_FAILED; /* echo_pieces fails with echo_line's hint */
    free(b->actual);
    b->actual = xstrdup("something else");
    b->hint = xstrdup(a->hint);
    char *out = text_of(r, false, false);
    cr_assert(strstr(out, "      hint:     read() may return fewer bytes\n"), "the first in full: %s", out);
    cr_assert(strstr(out, "  \xE2\x9C\x97 echo_pieces  0/2 robustness  same failure as echo_line; fix that first\n"),
              "the second on one line: %s", out);
    cr_assert_null(strstr(out, "something else"), "%s", out);
    free(out);
    run_free(r);
}

Test(report_text, multiline_value_keeps_line_ends_visible)
{
    char *v = report_text_value("one\r\ntwo \n\tx\x01\x7f\xC2\x9B\xE2\x80\xAE", "  ");
    cr_assert_str_eq(v, "one\\r\xE2\x8F\x8E\n  two \xE2\x8F\x8E\n  \\tx\\x01\\x7f\\u009b\\u202e");
    free(v);
}

Test(report_text, escapes_and_colour)
{
    struct run_result *r = hostile_sample();
    char *out = text_of(r, false, false);
    cr_assert_null(strchr(out, '\x1b'), "a raw ESC without colour");
    cr_assert(!has_raw_control(out, "\n\t"), "a raw control byte");
    cr_assert(valid_utf8((const unsigned char *)out));
    cr_assert_null(strstr(out, "\xC2\x9B"), "a raw C1 CSI");
    cr_assert_null(strstr(out, "\xE2\x80\xAE"), "a raw bidi override");
    cr_assert(strstr(out, "a\\x1b[2J\\x1b]0;pwned\\x07<&\"'>\\x01\\x7f\\r\\t\\u009b\\u202e"), "%s",
              out);
    free(out);
    out = text_of(r, true, false);
    cr_assert(strstr(out, "\x1b[32m\xE2\x9C\x93\x1b[0m"), "colour when asked: a green tick");
    cr_assert(strstr(out, "\x1b[31m\xE2\x9C\x97\x1b[0m"), "and a red cross");
    /* With colour, every ESC must start one of the writer's own colour codes. */
    for (const char *p = strchr(out, '\x1b'); p; p = strchr(p + 1, '\x1b'))
        cr_assert(strncmp(p, "\x1b[32m", 5) == 0 || strncmp(p, "\x1b[31m", 5) == 0 ||
                  strncmp(p, "\x1b[33m", 5) == 0 || strncmp(p, "\x1b[2m", 4) == 0 ||
                  strncmp(p, "\x1b[0m", 4) == 0, "foreign escape at: %.12s", p);
    free(out);
    run_free(r);
}

Test(report_text, student_view_hides_hidden_details)
{
    struct run_result *r = sample();
    char *full = text_of(r, false, false);
    char *student = text_of(r, false, true);
    cr_assert(strstr(full, "SECRET-EXPECTED") && strstr(full, "SECRET-HINT"));
    cr_assert(strstr(full, "LATER-EXPECTED"));
    cr_assert_null(strstr(student, "SECRET"), "%s", student);
    cr_assert_null(strstr(student, "LATER-EXPECTED"));
    cr_assert_null(strstr(student, "hidden <&"), "the description is a detail too");
    cr_assert(strstr(student, "  \xE2\x9C\x97 secret  0/2"), "id, status and points stay");
    cr_assert(strstr(student, "  \xE2\x9C\x97 later  0/1"));
    cr_assert(strstr(student, "expected: hello world"), "visible checks keep their details");
    free(full);
    free(student);
    run_free(r);
}

/* ---- dispatch --------------------------------------------------------------------------- */

Test(report, format_names)
{
    static const char *const names[] = { "text", "json", "gradescope", "junit" };
    for (int i = 0; i < 4; i++) {
        enum report_format f;
        cr_assert_eq(report_format_parse(names[i], &f), 0);
        cr_assert_str_eq(report_format_name(f), names[i]);
    }
    enum report_format f = FORMAT_JSON;
    cr_assert_eq(report_format_parse("xml", &f), -1);
    cr_assert_eq(report_format_parse(NULL, &f), -1);
    cr_assert_eq(f, FORMAT_JSON, "unchanged on error");
}

Test(report, render_dispatches)
{
    struct run_result *r = sample();
    char *a = report_render(r, FORMAT_JSON, NULL);
    char *b = result_json_write(r);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    a = report_render(r, FORMAT_JUNIT, NULL);
    cr_assert(strncmp(a, "<?xml", 5) == 0);
    free(a);
    a = report_render(r, FORMAT_GRADESCOPE, NULL);
    cr_assert(strstr(a, "\"tests\""));
    free(a);
    a = report_render(r, FORMAT_TEXT, NULL);
    cr_assert(strncmp(a, "sockgrade 0.1.0: subs/kim", 25) == 0);
    free(a);
    run_free(r);
}
