/* Unit tests of spec: a full spec loads with every field, defaults are applied, and every
 * malformed spec is refused with the exact message (file, JSON path, problem) an instructor
 * would need to fix it. JSON in this file is written with ' for " to stay readable. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/spec.h"
#include "util/util.h"

/* s with every ' turned into ": the specs and messages below use no literal '. */
static char *dq(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

static struct spec *parse(const char *json_sq, char *err)
{
    char *json = dq(json_sq);
    err[0] = '\0';
    struct spec *s = spec_parse("spec.json", json, err, UTIL_ERRLEN);
    free(json);
    return s;
}

static const char full_spec[] =
    "{'schema': 'sockgrade-spec/1', 'program': 'tcp_echoserv',\n"
    " 'title': 'Iterative TCP echo server', 'timeout_ms': 3000,\n"
    " 'checks': [\n"
    "  {'id': 'echo_six_clients', 'description': 'Echoes a line to six clients in turn.',\n"
    "   'level': 'core', 'points': 2.5, 'visibility': 'after_due_date', 'kind': 'drive',\n"
    "   'timeout_ms': 5000, 'args': ['{port}', 7], 'stdin': '', 'ready': 'tcp:{port}',\n"
    "   'setup': {'extra_fds': true, 'nofile': true, 'services': 'no_echo'},\n"
    "   'peers': [{'name': 'busy', 'type': 'tcp_squat', 'port': 9}],\n"
    "   'clients': [\n"
    "    {'type': 'tcp', 'count': 6, 'send': 'hello {seed}\\n', 'pieces': 2,\n"
    "     'close': 'normal', 'expect_echo': true},\n"
    "    {'type': 'udp', 'send': ['a\\n', 'random:4096'], 'close': 'reset',\n"
    "     'expect_echo': false}],\n"
    "   'expect': [{'what': 'echoed', 'hint': 'write() what read() returned'},\n"
    "              {'what': 'running'}],\n"
    "   'hint': 'An iterative server loops back to accept().', 'memcheck': true},\n"
    "  {'id': 'daytime', 'description': 'Prints what the server sent.',\n"
    "   'level': 'robustness', 'visibility': 'hidden', 'kind': 'run',\n"
    "   'args': ['127.0.0.1'], 'stdin': 'hello\\n',\n"
    "   'peers': [\n"
    "    {'name': 'daytime', 'type': 'tcp_send', 'port': 13, 'text': '{daytime}\\r\\n',\n"
    "     'pieces': 3},\n"
    "    {'name': 'echo', 'type': 'udp_echo', 'port': '{port}', 'addr': '127.0.0.3',\n"
    "     'reply': 'reverse', 'stranger': 'intruder\\n'}],\n"
    "   'expect': [{'what': 'ends'}, {'what': 'exit', 'is': 'nonzero'}, {'what': 'message'},\n"
    "    {'what': 'values', 'type': 'hex', 'values': ['0xE72473D2', 3877925842],\n"
    "     'max_extra': 2, 'hint': 'inet_pton() gives network order'},\n"
    "    {'what': 'contains', 'text': '{daytime}'}, {'what': 'lacks', 'text': 'intruder'},\n"
    "    {'what': 'peer_received', 'peer': 'echo', 'text': ''}]},\n"
    "  {'id': 'minimal', 'description': 'Ends.', 'kind': 'run', 'expect': [{'what': 'ends'}]}\n"
    " ]}\n";

Test(spec, full_spec_every_field)
{
    char err[UTIL_ERRLEN];
    struct spec *s = parse(full_spec, err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_str_eq(s->path, "spec.json");
    cr_assert_str_eq(s->program, "tcp_echoserv");
    cr_assert_str_eq(s->title, "Iterative TCP echo server");
    cr_assert_eq(s->timeout_ms, 3000);
    cr_assert_eq(s->nchecks, 3);

    const struct spec_check *c = &s->checks[0];
    cr_assert_str_eq(c->id, "echo_six_clients");
    cr_assert_str_eq(c->description, "Echoes a line to six clients in turn.");
    cr_assert_eq(c->level, LEVEL_CORE);
    cr_assert_float_eq(c->points, 2.5, 1e-9);
    cr_assert_eq(c->visibility, VIS_AFTER_DUE_DATE);
    cr_assert_eq(c->kind, KIND_DRIVE);
    cr_assert_eq(c->timeout_ms, 5000);
    cr_assert_eq(c->nargs, 2);
    cr_assert_str_eq(c->args[0], "{port}");
    cr_assert_str_eq(c->args[1], "7");
    cr_assert_str_eq(c->stdin_text, "");
    cr_assert_str_eq(c->ready, "tcp:{port}");
    cr_assert(c->setup.extra_fds && c->setup.nofile && c->setup.services == SERVICES_NO_ECHO);
    cr_assert_eq(c->npeers, 1);
    cr_assert_eq(c->peers[0].type, PEER_TCP_SQUAT);
    cr_assert_str_eq(c->peers[0].port, "9");
    cr_assert_eq(c->nclients, 2);
    cr_assert_eq(c->clients[0].type, CLIENT_TCP);
    cr_assert_eq(c->clients[0].count, 6);
    cr_assert_eq(c->clients[0].nsends, 1);
    cr_assert_str_eq(c->clients[0].sends[0], "hello {seed}\n");
    cr_assert_eq(c->clients[0].pieces, 2);
    cr_assert_eq(c->clients[0].close, CLOSE_NORMAL);
    cr_assert(c->clients[0].expect_echo);
    cr_assert_eq(c->clients[1].type, CLIENT_UDP);
    cr_assert_eq(c->clients[1].count, 1);
    cr_assert_eq(c->clients[1].nsends, 2);
    cr_assert_str_eq(c->clients[1].sends[1], "random:4096");
    cr_assert_eq(c->clients[1].pieces, 1);
    cr_assert_eq(c->clients[1].close, CLOSE_RESET);
    cr_assert_not(c->clients[1].expect_echo);
    cr_assert_eq(c->nexpects, 2);
    cr_assert_eq(c->expects[0].what, EXPECT_ECHOED);
    cr_assert_str_eq(c->expects[0].hint, "write() what read() returned");
    cr_assert_eq(c->expects[1].what, EXPECT_RUNNING);
    cr_assert_null(c->expects[1].hint);
    cr_assert_str_eq(c->hint, "An iterative server loops back to accept().");
    cr_assert(c->memcheck);
    spec_free(s);
}

Test(spec, full_spec_peers_and_expectations)
{
    char err[UTIL_ERRLEN];
    struct spec *s = parse(full_spec, err);
    cr_assert_not_null(s, "%s", err);
    const struct spec_check *c = &s->checks[1];
    cr_assert_eq(c->level, LEVEL_ROBUSTNESS);
    cr_assert_float_eq(c->points, 0, 1e-9, "robustness checks default to 0 points");
    cr_assert_eq(c->visibility, VIS_HIDDEN);
    cr_assert_eq(c->timeout_ms, 3000, "the spec's timeout is the default");
    cr_assert_str_eq(c->stdin_text, "hello\n");
    cr_assert_null(c->ready);
    cr_assert_eq(c->npeers, 2);
    const struct spec_peer *p = &c->peers[0];
    cr_assert_str_eq(p->name, "daytime");
    cr_assert_eq(p->type, PEER_TCP_SEND);
    cr_assert_str_eq(p->port, "13");
    cr_assert_str_eq(p->addr, "127.0.0.1");
    cr_assert_eq(p->reply, REPLY_ECHO);
    cr_assert_eq(p->pieces, 3);
    cr_assert_str_eq(p->text, "{daytime}\r\n");
    cr_assert_null(p->stranger);
    p = &c->peers[1];
    cr_assert_eq(p->type, PEER_UDP_ECHO);
    cr_assert_str_eq(p->port, "{port}");
    cr_assert_str_eq(p->addr, "127.0.0.3");
    cr_assert_eq(p->reply, REPLY_REVERSE);
    cr_assert_eq(p->pieces, 1);
    cr_assert_null(p->text);
    cr_assert_str_eq(p->stranger, "intruder\n");

    cr_assert_eq(c->nexpects, 7);
    const struct spec_expect *e = c->expects;
    cr_assert_eq(e[0].what, EXPECT_ENDS);
    cr_assert_eq(e[1].what, EXPECT_EXIT);
    cr_assert_str_eq(e[1].is, "nonzero");
    cr_assert_eq(e[2].what, EXPECT_MESSAGE);
    cr_assert_eq(e[3].what, EXPECT_VALUES);
    cr_assert_str_eq(e[3].type, "hex");
    cr_assert_eq(e[3].nvalues, 2);
    cr_assert_str_eq(e[3].values[0], "0xE72473D2");
    cr_assert_str_eq(e[3].values[1], "3877925842", "numbers are kept as decimal text");
    cr_assert_eq(e[3].max_extra, 2);
    cr_assert_str_eq(e[3].hint, "inet_pton() gives network order");
    cr_assert_eq(e[4].what, EXPECT_CONTAINS);
    cr_assert_str_eq(e[4].text, "{daytime}");
    cr_assert_eq(e[5].what, EXPECT_LACKS);
    cr_assert_str_eq(e[5].text, "intruder");
    cr_assert_eq(e[6].what, EXPECT_PEER_RECEIVED);
    cr_assert_str_eq(e[6].peer, "echo");
    cr_assert_str_eq(e[6].text, "");
    cr_assert_float_eq(spec_max_score(s), 3.5, 1e-9);
    spec_free(s);
}

Test(spec, defaults)
{
    char err[UTIL_ERRLEN];
    struct spec *s = parse("{'schema': 'sockgrade-spec/1', 'program': 'dtablesize', 'title': "
                           "'t', 'checks': [{'id': 'x', 'description': 'd', 'kind': 'run', "
                           "'peers': [{'name': 'e', 'type': 'tcp_echo', 'port': '7'}], "
                           "'expect': [{'what': 'values', 'type': 'int', 'values': [1024]}]}]}",
                           err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_eq(s->timeout_ms, 2000);
    const struct spec_check *c = &s->checks[0];
    cr_assert_eq(c->level, LEVEL_CORE);
    cr_assert_float_eq(c->points, 1, 1e-9);
    cr_assert_eq(c->visibility, VIS_VISIBLE);
    cr_assert_eq(c->timeout_ms, 2000);
    cr_assert_eq(c->nargs, 0);
    cr_assert_null(c->args);
    cr_assert_null(c->stdin_text);
    cr_assert_null(c->ready);
    cr_assert_not(c->setup.extra_fds || c->setup.nofile || c->setup.services != SERVICES_LECTURE);
    cr_assert_eq(c->nclients, 0);
    cr_assert_null(c->hint);
    cr_assert_not(c->memcheck);
    cr_assert_str_eq(c->peers[0].port, "7");
    cr_assert_str_eq(c->peers[0].addr, "127.0.0.1");
    cr_assert_eq(c->peers[0].reply, REPLY_ECHO);
    cr_assert_eq(c->peers[0].pieces, 1);
    cr_assert_eq(c->expects[0].max_extra, -1, "no cap on other values unless the spec sets one");
    cr_assert_str_eq(c->expects[0].values[0], "1024");
    cr_assert_float_eq(spec_max_score(s), 1, 1e-9);
    spec_free(s);
}

#define TOP "'schema': 'sockgrade-spec/1', 'program': 'p', 'title': 't'"
#define SPEC(checks) "{" TOP ", 'checks': [" checks "]}"
#define HEAD(kind) "{'id': 'a', 'description': 'd', 'kind': '" kind "', "
#define RUN(extra) HEAD("run") extra "'expect': [{'what': 'ends'}]}"
#define RUN_EXPECT(extra, exp) HEAD("run") extra "'expect': [" exp "]}"
#define DRIVE(extra, exp) HEAD("drive") "'ready': 'tcp:7', " extra "'expect': [" exp "]}"
#define OK_CHECK(id) "{'id': '" id "', 'description': 'd', 'kind': 'run', " \
    "'expect': [{'what': 'ends'}]}"
#define ECHO_PEER(name) "{'name': '" name "', 'type': 'tcp_echo', 'port': 7}"

/* Criterion runs each test in a fresh process of this binary, where pointers stored in a
 * parameter would dangle, so the strings live in arrays. */
struct bad_case {
    char name[48];
    char json[640];
    char msg[256];
};

ParameterizedTestParameters(spec, malformed)
{
    static struct bad_case cases[] = {
        {"syntax: missing comma", "{\n  'schema': 'sockgrade-spec/1',\n  'program': 'p'\n"
         "  'title': 't'\n}", "spec.json: line 4, column 3: invalid JSON"},
        {"syntax: trailing comma", "{'checks': [1, 2,]}",
         "spec.json: line 1, column 18: invalid JSON"},
        {"syntax: column counts characters", "{'a': '한국어' x}",
         "spec.json: line 1, column 13: invalid JSON"},
        {"syntax: unterminated", "{'a': 'b'\n", "spec.json: line 2, column 1: invalid JSON"},
        {"syntax: empty", "", "spec.json: line 1, column 1: invalid JSON"},
        {"not an object", "[1]", "spec.json: $: expected an object, got an array"},
        {"missing schema", "{'program': 'p'}", "spec.json: $: missing required key 'schema'"},
        {"wrong schema", "{'schema': 'sockgrade-spec/2'}",
         "spec.json: $.schema: expected 'sockgrade-spec/1', got 'sockgrade-spec/2'"},
        {"schema not a string", "{'schema': 1}",
         "spec.json: $.schema: expected 'sockgrade-spec/1', got 1"},
        {"unknown top key", "{" TOP ", 'titel': 'x', 'checks': [" OK_CHECK("a") "]}",
         "spec.json: $.titel: unknown key (did you mean 'title'?)"},
        {"unknown check key", SPEC(RUN("'timout_ms': 100, ")),
         "spec.json: $.checks[0].timout_ms: unknown key (did you mean 'timeout_ms'?)"},
        {"transposed key", SPEC(RUN("'peers': [{'name': 'e', 'tpye': 'tcp_echo'}], ")),
         "spec.json: $.checks[0].peers[0].tpye: unknown key (did you mean 'type'?)"},
        {"unknown key, nothing near", SPEC(RUN("'colour': 'red', ")),
         "spec.json: $.checks[0].colour: unknown key"},
        {"odd key shown quoted", SPEC(RUN("'my key': 1, ")),
         "spec.json: $.checks[0][\"my key\"]: unknown key"},
        {"duplicate key", SPEC(RUN("'hint': 'a', 'hint': 'b', ")),
         "spec.json: $.checks[0].hint: duplicate key"},
        {"bad program", "{'schema': 'sockgrade-spec/1', 'program': 'Tcp-Echo'}",
         "spec.json: $.program: expected [a-z0-9_]+, got 'Tcp-Echo'"},
        {"missing title", "{'schema': 'sockgrade-spec/1', 'program': 'p'}",
         "spec.json: $: missing required key 'title'"},
        {"timeout as string", "{" TOP ", 'timeout_ms': '2000', 'checks': []}",
         "spec.json: $.timeout_ms: expected an integer from 1 to 60000, got '2000'"},
        {"missing checks", "{" TOP "}", "spec.json: $: missing required key 'checks'"},
        {"empty checks", SPEC(""), "spec.json: $.checks: must not be empty"},
        {"checks not an array", "{" TOP ", 'checks': {}}",
         "spec.json: $.checks: expected an array, got an object"},
        {"check not an object", SPEC("5"), "spec.json: $.checks[0]: expected an object, got 5"},
        {"duplicate check id", SPEC(OK_CHECK("a") ", " OK_CHECK("b") ", " OK_CHECK("a")),
         "spec.json: $.checks[2].id: duplicate id 'a' (first at $.checks[0])"},
        {"bad check id", SPEC(OK_CHECK("A b")),
         "spec.json: $.checks[0].id: expected [a-z0-9_]+, got 'A b'"},
        {"empty description", SPEC("{'id': 'a', 'description': '', 'kind': 'run'}"),
         "spec.json: $.checks[0].description: must not be empty"},
        {"description not a string", SPEC("{'id': 'a', 'description': 5}"),
         "spec.json: $.checks[0].description: expected a string, got 5"},
        {"bad level", SPEC(RUN("'level': 'Core', ")),
         "spec.json: $.checks[0].level: expected one of 'core', 'robustness'; got 'Core'"},
        {"negative points", SPEC(RUN("'points': -1, ")),
         "spec.json: $.checks[0].points: expected a number >= 0, got -1"},
        {"points as string", SPEC(RUN("'points': 'two', ")),
         "spec.json: $.checks[0].points: expected a number >= 0, got 'two'"},
        {"missing kind", SPEC("{'id': 'a', 'description': 'd'}"),
         "spec.json: $.checks[0]: missing required key 'kind'"},
        {"check timeout zero", SPEC(RUN("'timeout_ms': 0, ")),
         "spec.json: $.checks[0].timeout_ms: expected an integer from 1 to 60000, got 0"},
        {"fractional timeout", SPEC(RUN("'timeout_ms': 1.5, ")),
         "spec.json: $.checks[0].timeout_ms: expected an integer from 1 to 60000, got 1.5"},
        {"args not an array", SPEC(RUN("'args': 'x', ")),
         "spec.json: $.checks[0].args: expected an array of strings or numbers, got 'x'"},
        {"args element", SPEC(RUN("'args': ['a', true], ")),
         "spec.json: $.checks[0].args[1]: expected a string or a number, got true"},
        {"memcheck not bool", SPEC(RUN("'memcheck': 1, ")),
         "spec.json: $.checks[0].memcheck: expected true or false, got 1"},
        {"drive without ready", SPEC(HEAD("drive") "'expect': [{'what': 'running'}]}"),
         "spec.json: $.checks[0]: missing required key 'ready' (kind 'drive' needs it)"},
        {"ready on run", SPEC(RUN("'ready': 'tcp:7', ")),
         "spec.json: $.checks[0].ready: only allowed when kind is 'drive'"},
        {"ready without protocol", SPEC(HEAD("drive") "'ready': '7', 'expect': []}"),
         "spec.json: $.checks[0].ready: expected 'tcp:<port>' or 'udp:<port>', got '7'"},
        {"bad services", SPEC(RUN("'setup': {'services': 'none'}, ")),
         "spec.json: $.checks[0].setup.services: expected one of 'lecture', 'varied', 'no_echo'; "
         "got 'none'"},
        {"unknown setup key", SPEC(RUN("'setup': {'extrafds': true}, ")),
         "spec.json: $.checks[0].setup.extrafds: unknown key (did you mean 'extra_fds'?)"},
        {"clients on a run check", SPEC(RUN("'clients': [{'type': 'tcp', 'send': 'x'}], ")),
         "spec.json: $.checks[0].clients: only allowed when kind is 'drive'"},
        {"client without send", SPEC(DRIVE("'clients': [{'type': 'tcp'}], ", "{'what': 'running'}")),
         "spec.json: $.checks[0].clients[0]: missing required key 'send'"},
        {"client empty send", SPEC(DRIVE("'clients': [{'type': 'udp', 'send': []}], ",
                                         "{'what': 'running'}")),
         "spec.json: $.checks[0].clients[0].send: must not be empty"},
        {"client count zero", SPEC(DRIVE("'clients': [{'type': 'udp', 'count': 0, 'send': 'x'}], ",
                                         "{'what': 'running'}")),
         "spec.json: $.checks[0].clients[0].count: expected an integer from 1 to 64, got 0"},
        {"duplicate peer name", SPEC(RUN("'peers': [" ECHO_PEER("e") ", " ECHO_PEER("e") "], ")),
         "spec.json: $.checks[0].peers[1].name: duplicate peer name 'e' (first at "
         "$.checks[0].peers[0])"},
        {"peer type", SPEC(RUN("'peers': [{'name': 'e', 'type': 'tcp'}], ")),
         "spec.json: $.checks[0].peers[0].type: expected one of 'tcp_echo', 'udp_echo', "
         "'tcp_send', 'tcp_squat', 'udp_squat'; got 'tcp'"},
        {"port out of range", SPEC(RUN("'peers': [{'name': 'e', 'type': 'tcp_echo', 'port': "
                                       "70000}], ")),
         "spec.json: $.checks[0].peers[0].port: expected an integer from 1 to 65535 or a "
         "'{variable}' string, got 70000"},
        {"port true", SPEC(RUN("'peers': [{'name': 'e', 'type': 'tcp_echo', 'port': true}], ")),
         "spec.json: $.checks[0].peers[0].port: expected an integer from 1 to 65535 or a "
         "'{variable}' string, got true"},
        {"port word", SPEC(RUN("'peers': [{'name': 'e', 'type': 'tcp_echo', 'port': 'echo'}], ")),
         "spec.json: $.checks[0].peers[0].port: expected an integer from 1 to 65535 or a "
         "'{variable}' string, got 'echo'"},
        {"missing port", SPEC(RUN("'peers': [{'name': 'e', 'type': 'tcp_echo'}], ")),
         "spec.json: $.checks[0].peers[0]: missing required key 'port'"},
        {"tcp_send without text", SPEC(RUN("'peers': [{'name': 'd', 'type': 'tcp_send', "
                                           "'port': 13}], ")),
         "spec.json: $.checks[0].peers[0]: missing required key 'text'"},
        {"text on an echo peer", SPEC(RUN("'peers': [{'name': 'd', 'type': 'tcp_echo', "
                                          "'port': 7, 'text': 'x'}], ")),
         "spec.json: $.checks[0].peers[0].text: only allowed when type is 'tcp_send'"},
        {"stranger on tcp", SPEC(RUN("'peers': [{'name': 'd', 'type': 'tcp_echo', "
                                     "'port': 7, 'stranger': 'x'}], ")),
         "spec.json: $.checks[0].peers[0].stranger: only allowed when type is 'udp_echo'"},
        {"missing expect", SPEC(HEAD("run") "'hint': 'h'}"),
         "spec.json: $.checks[0]: missing required key 'expect'"},
        {"empty expect", SPEC(RUN_EXPECT("", "")),
         "spec.json: $.checks[0].expect: must not be empty"},
        {"bad what", SPEC(RUN_EXPECT("", "{'what': 'prints'}")),
         "spec.json: $.checks[0].expect[0].what: expected one of 'ends', 'exit', 'message', "
         "'values', 'contains', 'lacks', 'peer_received', 'echoed', 'running', "
         "'closed_connections', 'no_zombies', 'peer_contacted'; got 'prints'"},
        {"exit without is", SPEC(RUN_EXPECT("", "{'what': 'ends'}, {'what': 'exit'}")),
         "spec.json: $.checks[0].expect[1]: missing required key 'is'"},
        {"key not allowed for what", SPEC(RUN_EXPECT("", "{'what': 'exit', 'is': 'zero', "
                                                         "'text': 'x'}")),
         "spec.json: $.checks[0].expect[0].text: not allowed when what is 'exit'"},
        {"typo in expect", SPEC(RUN_EXPECT("", "{'what': 'values', 'type': 'int', "
                                               "'value': [1]}")),
         "spec.json: $.checks[0].expect[0].value: unknown key (did you mean 'values'?)"},
        {"bad value type", SPEC(RUN_EXPECT("", "{'what': 'values', 'type': 'ip', "
                                               "'values': ['1.2.3.4']}")),
         "spec.json: $.checks[0].expect[0].type: expected one of 'int', 'hex', 'ipv4', "
         "'name'; got 'ip'"},
        {"bad literal value", SPEC(RUN_EXPECT("", "{'what': 'values', 'type': 'ipv4', "
                                                  "'values': ['1.2.3.4', '1.2.3.256']}")),
         "spec.json: $.checks[0].expect[0].values[1]: '1.2.3.256' is not a valid ipv4 value"},
        {"empty values", SPEC(RUN_EXPECT("", "{'what': 'values', 'type': 'int', 'values': []}")),
         "spec.json: $.checks[0].expect[0].values: must not be empty"},
        {"negative max_extra", SPEC(RUN_EXPECT("", "{'what': 'values', 'type': 'int', "
                                                   "'values': [7], 'max_extra': -1}")),
         "spec.json: $.checks[0].expect[0].max_extra: expected an integer >= 0, got -1"},
        {"contains without text", SPEC(RUN_EXPECT("", "{'what': 'contains'}")),
         "spec.json: $.checks[0].expect[0]: missing required key 'text'"},
        {"lacks empty text", SPEC(RUN_EXPECT("", "{'what': 'lacks', 'text': ''}")),
         "spec.json: $.checks[0].expect[0].text: must not be empty"},
        {"peer_received names a missing peer",
         SPEC(RUN_EXPECT("'peers': [" ECHO_PEER("echo") "], ",
                         "{'what': 'peer_received', 'peer': 'echo2', 'text': 'x'}")),
         "spec.json: $.checks[0].expect[0].peer: no peer named 'echo2' in this check"},
        {"echoed on a run check", SPEC(RUN_EXPECT("", "{'what': 'echoed'}")),
         "spec.json: $.checks[0].expect[0].what: 'echoed' is only allowed when kind is 'drive'"},
        {"echoed without clients", SPEC(DRIVE("", "{'what': 'echoed'}")),
         "spec.json: $.checks[0].expect[0].what: 'echoed' needs at least one client in this "
         "check"},
        {"expect hint not a string", SPEC(RUN_EXPECT("", "{'what': 'ends', 'hint': 1}")),
         "spec.json: $.checks[0].expect[0].hint: expected a string, got 1"},
        {"requires an unknown check", SPEC(RUN("'requires_any': ['nope'], ")),
         "spec.json: $.checks[0].requires_any[0]: no check with id 'nope' in this spec"},
        {"requires itself", SPEC(RUN("'requires_any': ['a'], ")),
         "spec.json: $.checks[0].requires_any[0]: a check cannot require itself"},
        {"requires a gated check", SPEC(RUN("'requires_any': ['b'], ") ", "
                                        "{'id': 'b', 'description': 'd', 'kind': 'run', "
                                        "'requires_any': ['c'], 'expect': [{'what': 'ends'}]}, "
                                        OK_CHECK("c")),
         "spec.json: $.checks[0].requires_any[0]: 'b' has requirements of its own: require the "
         "checks of the normal job directly"},
        {"delay on a tcp peer", SPEC(RUN("'peers': [{'name': 'p', 'type': 'tcp_echo', 'port': 7, "
                                         "'delay_ms': 5}], ")),
         "spec.json: $.checks[0].peers[0].delay_ms: only allowed when type is 'udp_echo'"},
        {"closed_connections in a run check", SPEC(RUN_EXPECT("", "{'what': 'closed_connections'}")),
         "spec.json: $.checks[0].expect[0].what: 'closed_connections' is only allowed when kind is 'drive'"},
        {"no_zombies without clients", SPEC(DRIVE("", "{'what': 'no_zombies'}")),
         "spec.json: $.checks[0].expect[0].what: 'no_zombies' needs at least one client in this check"},
        {"peer_contacted of no such peer", SPEC(RUN_EXPECT("", "{'what': 'peer_contacted', 'peer': 'x'}")),
         "spec.json: $.checks[0].expect[0].peer: no peer named 'x' in this check"},
        {"second check's error path", SPEC(OK_CHECK("a") ", " RUN("'level': 'hard', ")),
         "spec.json: $.checks[1].level: expected one of 'core', 'robustness'; got 'hard'"},
    };
    return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct bad_case *c, spec, malformed)
{
    char err[UTIL_ERRLEN];
    char *want = dq(c->msg);
    struct spec *s = parse(c->json, err);
    cr_assert_null(s, "%s: loaded", c->name);
    cr_assert_str_eq(err, want, "%s: got %s", c->name, err);
    free(want);
}

Test(spec, long_unknown_key_is_cut_not_overflowed)
{
    char err[UTIL_ERRLEN];
    char json[1200];
    char key[600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(json, sizeof json, "{" TOP ", '%s': 1}", key);
    cr_assert_null(parse(json, err));
    cr_assert(strncmp(err, "spec.json: $.kkkk", 17) == 0, "%s", err);
    cr_assert_lt(strlen(err), (size_t)UTIL_ERRLEN);
}

Test(spec, small_error_buffer)
{
    char err[16];
    char *json = dq("{'schema': 'nope'}");
    cr_assert_null(spec_parse("spec.json", json, err, sizeof err));
    cr_assert_str_eq(err, "spec.json: $.sc");
    cr_assert_null(spec_parse("spec.json", json, NULL, 0));
    free(json);
}

Test(spec, enum_names)
{
    cr_assert_str_eq(spec_level_name(LEVEL_ROBUSTNESS), "robustness");
    cr_assert_str_eq(spec_visibility_name(VIS_AFTER_DUE_DATE), "after_due_date");
    cr_assert_str_eq(spec_kind_name(KIND_DRIVE), "drive");
    cr_assert_str_eq(peer_type_name(PEER_UDP_SQUAT), "udp_squat");
    cr_assert_str_eq(expect_what_name(EXPECT_PEER_RECEIVED), "peer_received");
    cr_assert_str_eq(expect_what_name(EXPECT_RUNNING), "running");
    cr_assert_str_eq(spec_level_name((enum spec_level)7), "?");
    cr_assert_str_eq(expect_what_name((enum expect_what)-1), "?");
    cr_assert_float_eq(spec_max_score(NULL), 0, 1e-9);
    spec_free(NULL);
}

/* Every kind of check and of expectation has its row in the kind tables: a name of its own,
 * by which a spec names it (a missing row would be a NULL name here). */
Test(spec, every_kind_has_a_row)
{
    char err[UTIL_ERRLEN];
    cr_assert_not(spec_kind_serves(KIND_RUN));
    cr_assert(spec_kind_serves(KIND_DRIVE));
    cr_assert_str_eq(spec_kind_name(KIND_COUNT), "?");
    cr_assert_str_eq(expect_what_name(EXPECT_WHAT_COUNT), "?");
    for (int k = 0; k < KIND_COUNT; k++) {
        const char *name = spec_kind_name((enum spec_kind)k);
        cr_assert(name && strcmp(name, "?") != 0, "check kind %d has no name", k);
    }
    for (int w = 0; w < EXPECT_WHAT_COUNT; w++) {
        const char *name = expect_what_name((enum expect_what)w);
        cr_assert(name && strcmp(name, "?") != 0, "expectation kind %d has no name", w);
        for (int k = 0; k < w; k++)
            cr_assert_str_neq(name, expect_what_name((enum expect_what)k));
        /* Read back as its kind: either it loads, or what it lacks is named, never the kind. */
        char *json = xasprintf(SPEC(DRIVE("'peers': [" ECHO_PEER("echo") "], 'clients': "
                                          "[{'type': 'tcp', 'send': 'x'}], ",
                                          "{'what': '%s'}")), name);
        struct spec *sp = parse(json, err);
        free(json);
        if (sp)
            cr_assert_eq(sp->checks[0].expects[0].what, (enum expect_what)w);
        else
            cr_assert_null(strstr(err, "expected one of"), "%s: %s", name, err);
        spec_free(sp);
    }
}

/* A temporary folder holding spec.json; removed by the fixture's teardown. */
static char tmpdir[64];
static char tmpfile_path[128];

static void tmp_setup(void)
{
    strcpy(tmpdir, "/tmp/sockgrade-spec-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(tmpfile_path, sizeof tmpfile_path, "%s/spec.json", tmpdir);
}

static void tmp_teardown(void)
{
    unlink(tmpfile_path);
    rmdir(tmpdir);
}

static void write_file(const char *data, size_t len)
{
    FILE *f = fopen(tmpfile_path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

Test(spec, load_from_file, .init = tmp_setup, .fini = tmp_teardown)
{
    char err[UTIL_ERRLEN];
    char *json = dq(full_spec);
    write_file(json, strlen(json));
    free(json);
    struct spec *s = spec_load(tmpfile_path, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_str_eq(s->path, tmpfile_path);
    cr_assert_eq(s->nchecks, 3);
    cr_assert_str_eq(s->checks[2].id, "minimal");
    spec_free(s);
}

Test(spec, load_error_names_the_file, .init = tmp_setup, .fini = tmp_teardown)
{
    char err[UTIL_ERRLEN], want[UTIL_ERRLEN];
    char *json = dq(SPEC(RUN("'timout_ms': 1, ")));
    write_file(json, strlen(json));
    free(json);
    cr_assert_null(spec_load(tmpfile_path, err, sizeof err));
    snprintf(want, sizeof want, "%s: $.checks[0].timout_ms: unknown key (did you mean "
             "\"timeout_ms\"?)", tmpfile_path);
    cr_assert_str_eq(err, want);
}

Test(spec, load_nul_byte, .init = tmp_setup, .fini = tmp_teardown)
{
    char err[UTIL_ERRLEN], want[UTIL_ERRLEN];
    static const char data[] = "{\n  \"schema\": \0 \"x\"}";
    write_file(data, sizeof data - 1);
    cr_assert_null(spec_load(tmpfile_path, err, sizeof err));
    snprintf(want, sizeof want, "%s: line 2, column 13: invalid JSON", tmpfile_path);
    cr_assert_str_eq(err, want);
}

Test(spec, load_missing_file, .init = tmp_setup, .fini = tmp_teardown)
{
    char err[UTIL_ERRLEN], want[UTIL_ERRLEN];
    cr_assert_null(spec_load(tmpfile_path, err, sizeof err));
    snprintf(want, sizeof want, "%s: No such file or directory", tmpfile_path);
    cr_assert_str_eq(err, want);
}
