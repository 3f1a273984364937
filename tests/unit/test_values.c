/* Unit tests of values: reading values out of real program output (the textbook's Korean
 * labels, English labels, prompts, missing newlines, broken UTF-8) and never letting a wrong
 * answer through. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "spec/values.h"

/* Criterion runs each test in a fresh process of this binary, where pointers stored in a
 * parameter would dangle (ASLR); so every parameter holds its strings in arrays. */
#define MAXV 6

/* One output and what a check expects of it. len 0 means strlen(output). */
struct match_case {
    char name[48];
    char output[384];
    size_t len;
    enum value_type type;
    char expected[MAXV][24];
    size_t n;
    size_t max_extra;
    bool ok;
    size_t matched;
};

#define BYTE_ORDER_OUT "UDP 에코 포트번호(네트워크 순서) : 1792\n" \
    "UDP 에코 포트번호(호스트 순서) : 7\n"
#define ASCII_IP_OUT "* 입력한 dotted decimal IP 주소 : 210.115.36.231\n\n" \
    "inet_pton(210.115.36.231) = 0xE72473D2\n" \
    "inet_ntop(0xE72473D2) = 210.115.36.231\n"
#define HOSTENT_OUT "호스트 이름 : host.example.com\n" \
    "호스트 별명(1 번째) : www.example.com\n" \
    "호스트 주소타입 번호 : 2\n" \
    "호스트 주소의 길이 : 4\n" \
    "IP주소(1번째) : 10.0.0.1\n" \
    "IP주소(2번째) : 10.0.0.2\n"
#define HOSTENT_EN "official name: Host.Example.COM.\n" \
    "alias: www.example.com\n" \
    "address type: 2\n" \
    "length: 4\n" \
    "address: 10.0.0.1\n"
#define PORT_OUT "스트림 소켓 포트번호 = 58895\n데이터그램 소켓 포트번호 = 32771"

ParameterizedTestParameters(values, match)
{
    static struct match_case cases[] = {
        {"byte_order korean", BYTE_ORDER_OUT, 0, VALUE_INT, {"1792", "7"}, 2, 0, true, 2},
        {"byte_order order matters", BYTE_ORDER_OUT, 0, VALUE_INT, {"7", "1792"}, 2, 8, false, 1},
        {"byte_order ntohs forgotten", "UDP 에코 포트번호(네트워크 순서) : 1792\n"
         "UDP 에코 포트번호(호스트 순서) : 1792\n", 0, VALUE_INT, {"1792", "7"}, 2, 8, false, 1},
        {"ascii_ip hex any case", ASCII_IP_OUT, 0, VALUE_HEX, {"0xe72473d2", "0XE72473D2"}, 2, 0,
         true, 2},
        {"ascii_ip hex as decimal", ASCII_IP_OUT, 0, VALUE_HEX, {"3877925842"}, 1, 1, true, 1},
        {"ascii_ip wrong byte order", "inet_pton(210.115.36.231) = 0xD27324E7\n", 0, VALUE_HEX,
         {"0xE72473D2"}, 1, 8, false, 0},
        {"ascii_ip addresses", ASCII_IP_OUT, 0, VALUE_IPV4,
         {"210.115.36.231", "210.115.36.231", "210.115.36.231"}, 3, 0, true, 3},
        {"ascii_ip hex is no int", ASCII_IP_OUT, 0, VALUE_INT, {"0"}, 1, 8, false, 0},
        {"hostent addresses", HOSTENT_OUT, 0, VALUE_IPV4, {"10.0.0.1", "10.0.0.2"}, 2, 0, true, 2},
        {"hostent (1번째) counters", HOSTENT_OUT, 0, VALUE_INT, {"1", "2", "4", "1", "2"}, 5, 0,
         true, 5},
        {"hostent names, IP주소 gives IP", HOSTENT_OUT, 0, VALUE_NAME,
         {"host.example.com", "www.example.com"}, 2, 2, true, 2},
        {"hostent names, IP counted", HOSTENT_OUT, 0, VALUE_NAME,
         {"host.example.com", "www.example.com"}, 2, 1, false, 2},
        {"english names", HOSTENT_EN, 0, VALUE_NAME, {"host.example.com", "www.example.com."}, 2,
         7, true, 2},
        {"english names max_extra", HOSTENT_EN, 0, VALUE_NAME,
         {"host.example.com", "www.example.com"}, 2, 6, false, 2},
        {"english address", HOSTENT_EN, 0, VALUE_IPV4, {"10.0.0.1"}, 1, 0, true, 1},
        {"dtablesize textbook typo", "getdtablesize(0 \\ 1024", 0, VALUE_INT, {"1024"}, 1, 1,
         true, 1},
        {"dtablesize extra zero counted", "getdtablesize(0 \\ 1024", 0, VALUE_INT, {"1024"}, 1, 0,
         false, 1},
        {"dtablesize hard-coded", "getdtablesize() = 1024\n", 0, VALUE_INT, {"512"}, 1, 8, false,
         0},
        {"extra values tolerated", "getdtablesize() = 1024\nRLIMIT_NOFILE soft 1024 hard 4096",
         0, VALUE_INT, {"1024"}, 1, 8, true, 1},
        {"max_extra enforced", "1 2 3 4 5 6 7 8 9 10", 0, VALUE_INT, {"10"}, 1, 8, false, 1},
        {"max_extra boundary", "1 2 3 4 5 6 7 8 9 10", 0, VALUE_INT, {"10"}, 1, 9, true, 1},
        {"port_number no newline", PORT_OUT, 0, VALUE_INT, {"58895", "32771"}, 2, 0, true, 2},
        {"prompts", "입력 : 수신 : 7\n입력 : ", 0, VALUE_INT, {"7"}, 1, 0, true, 1},
        {"prompt without space", "입력:수신:42입력:", 0, VALUE_INT, {"42"}, 1, 0, true, 1},
        {"addr:port split", "connected to 127.0.0.1:7\n", 0, VALUE_IPV4, {"127.0.0.1"}, 1, 0,
         true, 1},
        {"addr:port port", "connected to 127.0.0.1:7\n", 0, VALUE_INT, {"7"}, 1, 0, true, 1},
        {"ellipsis", "connecting...10.0.0.1...", 0, VALUE_IPV4, {"10.0.0.1"}, 1, 0, true, 1},
        {"sentence end", "port is 7.", 0, VALUE_INT, {"7"}, 1, 0, true, 1},
        {"crlf", "7\r\n1792\r\n", 0, VALUE_INT, {"7", "1792"}, 2, 0, true, 2},
        {"invalid utf-8 separates", "port\xff\xfe" "7\xc3(\x80" "1792\xed", 0, VALUE_INT,
         {"7", "1792"}, 2, 0, true, 2},
        {"embedded NUL separates", "4\0" "2", 3, VALUE_INT, {"4", "2"}, 2, 0, true, 2},
        {"negative", "connect() returned -1\n", 0, VALUE_INT, {"-1"}, 1, 0, true, 1},
        {"negative is not positive", "connect() returned -1\n", 0, VALUE_INT, {"1"}, 1, 8, false,
         0},
        {"leading zeros", "port 007", 0, VALUE_INT, {"7"}, 1, 0, true, 1},
        {"256.1.1.1 not ipv4", "addr 256.1.1.1\n", 0, VALUE_IPV4, {"256.1.1.1"}, 1, 8, false, 0},
        {"256.1.1.1 no ints", "addr 256.1.1.1\n", 0, VALUE_INT, {""}, 0, 0, true, 0},
        {"nothing printed", "", 0, VALUE_INT, {"7"}, 1, 8, false, 0},
    };
    return cr_make_param_array(struct match_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct match_case *c, values, match)
{
    size_t len = c->len ? c->len : strlen(c->output);
    const char *expected[MAXV];
    for (size_t i = 0; i < MAXV; i++)
        expected[i] = c->expected[i];
    size_t matched = 99;
    bool ok = values_match_in_order(c->output, len, c->type, expected, c->n, c->max_extra,
                                    &matched);
    cr_assert_eq(ok, c->ok, "%s: expected %s", c->name, c->ok ? "a match" : "no match");
    cr_assert_eq(matched, c->matched, "%s: matched %zu, expected %zu", c->name, matched,
                 c->matched);
}

/* One token alone and how it is classified: count of values of type, first text and number. */
struct token_case {
    char output[32];
    enum value_type type;
    size_t count;
    char text[32];
    int64_t number;
};

ParameterizedTestParameters(values, classify)
{
    static struct token_case cases[] = {
        {"0xE72473D2", VALUE_HEX, 1, "0xE72473D2", 0xE72473D2},
        {"0xE72473D2", VALUE_INT, 0, "", 0},
        {"0xE72473D2", VALUE_NAME, 0, "", 0},
        {"0XFF", VALUE_HEX, 1, "0XFF", 255},
        {"0x", VALUE_NAME, 1, "0x", 0},
        {"0xZZ", VALUE_NAME, 1, "0xZZ", 0},
        {"-42", VALUE_INT, 1, "-42", -42},
        {"x=-42;", VALUE_INT, 1, "-42", -42},
        {"3-5", VALUE_INT, 0, "", 0},
        {"1.2.3", VALUE_INT, 0, "", 0},
        {"1.2.3", VALUE_IPV4, 0, "", 0},
        {"1.2.3.4.5", VALUE_IPV4, 0, "", 0},
        {"1234.1.1.1", VALUE_IPV4, 0, "", 0},
        {"256.1.1.1", VALUE_IPV4, 0, "", 0},
        {"256.1.1.1", VALUE_NAME, 0, "", 0},
        {"10.0.0.1", VALUE_IPV4, 1, "10.0.0.1", 0x0A000001},
        {"255.255.255.255", VALUE_IPV4, 1, "255.255.255.255", 0xFFFFFFFF},
        {"x10.0.0.1", VALUE_IPV4, 0, "", 0},
        {"x10.0.0.1", VALUE_NAME, 1, "x10.0.0.1", 0},
        {"host.example.com.", VALUE_NAME, 1, "host.example.com", 0},
        {"7:", VALUE_INT, 1, "7", 7},
        {":8080", VALUE_INT, 1, "8080", 8080},
        {"(1번째)", VALUE_INT, 1, "1", 1},
        {"번째1번째", VALUE_INT, 1, "1", 1},
        {"inet_pton", VALUE_NAME, 2, "inet", 0},
        {"99999999999999999999", VALUE_INT, 1, "99999999999999999999", INT64_MAX},
    };
    return cr_make_param_array(struct token_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct token_case *c, values, classify)
{
    struct value_list l;
    values_extract(c->output, strlen(c->output), c->type, &l);
    cr_assert_eq(l.count, c->count, "%s as %s: %zu values, expected %zu", c->output,
                 value_type_name(c->type), l.count, c->count);
    if (c->count > 0) {
        cr_assert_str_eq(l.items[0].text, c->text);
        cr_assert_eq(l.items[0].type, c->type);
        cr_assert_eq(l.items[0].number, c->number, "%s: number %lld", c->output,
                     (long long)l.items[0].number);
    }
    values_free(&l);
    cr_assert_null(l.items);
    cr_assert_eq(l.count, 0);
}

/* A printed token, an expected text, and whether they denote the same value. */
struct equal_case {
    enum value_type type;
    char token[32];
    char expected[32];
    bool equal;
};

ParameterizedTestParameters(values, equals)
{
    static struct equal_case cases[] = {
        {VALUE_INT, "7", "7", true},
        {VALUE_INT, "007", "7", true},
        {VALUE_INT, "-0", "0", true},
        {VALUE_INT, "-7", "7", false},
        {VALUE_INT, "7", "0x7", false},
        {VALUE_INT, "7", "seven", false},
        {VALUE_INT, "7", "", false},
        {VALUE_INT, "99999999999999999999", "99999999999999999999", true},
        {VALUE_INT, "99999999999999999999", "99999999999999999998", false},
        {VALUE_HEX, "0xE72473D2", "0xe72473d2", true},
        {VALUE_HEX, "0xe72473d2", "0XE72473D2", true},
        {VALUE_HEX, "0XE72473D2", "0xE72473D2", true},
        {VALUE_HEX, "0x00ff", "0xFF", true},
        {VALUE_HEX, "0x0", "0x00", true},
        {VALUE_HEX, "0xff", "255", true},
        {VALUE_HEX, "0xff", "ff", false},
        {VALUE_HEX, "0xE72473D2", "0xD27324E7", false},
        {VALUE_HEX, "0x1FFFFFFFFFFFFFFFF", "18446744073709551615", false},
        {VALUE_IPV4, "10.0.0.1", "10.0.0.1", true},
        {VALUE_IPV4, "10.0.0.1", "10.0.0.2", false},
        {VALUE_IPV4, "10.0.0.1", "10.0.0.1.", false},
        {VALUE_NAME, "Host.Example.COM", "host.example.com.", true},
        {VALUE_NAME, "localhost", "LOCALHOST", true},
        {VALUE_NAME, "localhost", "localhost2", false},
        {VALUE_NAME, "localhost", "local", false},
        {VALUE_NAME, "localhost", "127.0.0.1", false},
    };
    return cr_make_param_array(struct equal_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct equal_case *c, values, equals)
{
    struct value_list l;
    values_extract(c->token, strlen(c->token), c->type, &l);
    cr_assert_eq(l.count, 1, "%s is one %s", c->token, value_type_name(c->type));
    cr_assert_eq(value_equals(&l.items[0], c->expected), c->equal, "%s %s %s", c->token,
                 c->equal ? "should equal" : "should differ from", c->expected);
    values_free(&l);
}

struct valid_case {
    enum value_type type;
    char text[24];
    bool valid;
};

ParameterizedTestParameters(values, valid)
{
    static struct valid_case cases[] = {
        {VALUE_INT, "-12", true},      {VALUE_INT, "1.5", false},
        {VALUE_INT, "{port}", false},  {VALUE_HEX, "0xE72473D2", true},
        {VALUE_HEX, "3877925842", true}, {VALUE_HEX, "E72473D2", false},
        {VALUE_IPV4, "1.2.3.4", true}, {VALUE_IPV4, "1.2.3.256", false},
        {VALUE_IPV4, "10.1", false},   {VALUE_NAME, "host.example.com.", true},
        {VALUE_NAME, "a..b", false},   {VALUE_NAME, "my_host", false},
        {VALUE_NAME, "", false},       {VALUE_NAME, "1234", false},
    };
    return cr_make_param_array(struct valid_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct valid_case *c, values, valid)
{
    cr_assert_eq(value_valid(c->type, c->text), c->valid, "%s as %s", c->text,
                 value_type_name(c->type));
}

Test(values, type_names_round_trip)
{
    for (int i = 0; i < VALUE_TYPE_COUNT; i++) {
        enum value_type t;
        cr_assert_eq(value_type_parse(value_type_name((enum value_type)i), &t), 0);
        cr_assert_eq((int)t, i);
    }
    cr_assert_str_eq(value_type_name(VALUE_IPV4), "ipv4");
    cr_assert_str_eq(value_type_name(VALUE_TYPE_COUNT), "?");
    enum value_type t = VALUE_NAME;
    cr_assert_eq(value_type_parse("ip", &t), -1);
    cr_assert_eq(value_type_parse("INT", &t), -1);
    cr_assert_eq(value_type_parse(NULL, &t), -1);
    cr_assert_eq(t, VALUE_NAME);
}

Test(values, matched_may_be_null)
{
    const char *want[] = {"7"};
    cr_assert(values_match_in_order("7", 1, VALUE_INT, want, 1, 0, NULL));
    cr_assert_not(values_match_in_order(NULL, 0, VALUE_INT, want, 1, 0, NULL));
}

Test(values, contains_bytes)
{
    static const char out[] = "입력 : 수신 : hello\n입력 : ";
    cr_assert(values_contains_bytes(out, strlen(out), "hello\n", 6));
    cr_assert_not(values_contains_bytes(out, strlen(out), "hello\n\n", 7));
    cr_assert(values_contains_bytes(out, strlen(out), "", 0));
    static const char bin[] = {'a', 0, 'b', (char)0xff, 'c'};
    cr_assert(values_contains_bytes(bin, sizeof bin, "\0b\xff", 3));
    cr_assert_not(values_contains_bytes(bin, sizeof bin, "ab", 2));
    cr_assert_not(values_contains_bytes("ab", 2, "abc", 3));
}
