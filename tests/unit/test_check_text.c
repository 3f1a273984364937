/* check_text: how the judges quote what a program printed: EUC-KR decoded, binary data
 * summarised, a few odd bytes in text shown as they are. */
#include <criterion/criterion.h>
#include <string.h>

#include "check/check_int.h"

Test(check_quote, korean_text_saved_as_euc_kr_is_decoded)
{
    /* "한글 입력\n" in EUC-KR (CP949), as a Windows editor saves it */
    const char euckr[] = "\xc7\xd1\xb1\xdb \xc0\xd4\xb7\xc2\n";
    char *q = check_quote(euckr, sizeof euckr - 1, CHECK_QUOTE_CAP);
    cr_assert_str_eq(q, "\"\xED\x95\x9C\xEA\xB8\x80 \xEC\x9E\x85\xEB\xA0\xA5\\n\" (decoded from EUC-KR)");
    free(q);
    q = check_quote("\xff\xfe", 2, CHECK_QUOTE_CAP); /* not CP949 either: the bytes as they are */
    cr_assert_str_eq(q, "\"\xff\xfe\"");
    free(q);
}

Test(check_quote, binary_bytes_are_summarised)
{
    char bin[64];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (char)i;
    char *q = check_quote(bin, sizeof bin, CHECK_QUOTE_CAP);
    cr_assert_str_eq(q, "64 bytes of binary data (00 01 02 03 04 05 06 07 ...)");
    free(q);
    q = check_quote(bin, 8, CHECK_QUOTE_CAP); /* a few odd bytes are shown: they are the bug */
    cr_assert_str_eq(q, "\"\\0\\x01\\x02\\x03\\x04\\x05\\x06\\x07\"");
    free(q);
    cr_assert(check_is_binary(bin, sizeof bin));
    const char *text = "hello world, a line of plain text, long enough\n";
    cr_assert_not(check_is_binary(text, strlen(text)));
}
