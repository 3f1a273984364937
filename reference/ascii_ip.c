/* ascii_ip: dotted decimal -> 32-bit address (inet_pton) and back (inet_ntop). s_addr is
 * in network byte order, so printed as an integer on x86 its bytes look reversed:
 * 210.115.36.231 -> 0xE72473D2. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
    struct in_addr inaddr;
    char buf[INET_ADDRSTRLEN];

    if (argc != 2) {
        fprintf(stderr, "usage: %s <dotted decimal IP>\n", argv[0]);
        return 1;
    }
    /* 0 means "not an address": inaddr is then unset, so printing it would show garbage */
    if (inet_pton(AF_INET, argv[1], &inaddr.s_addr) != 1) {
        fprintf(stderr, "inet_pton(%s): invalid address\n", argv[1]);
        return 1;
    }
    printf("* 입력한 dotted decimal IP 주소 : %s\n\n", argv[1]);
    printf("inet_pton(%s) = 0x%X\n", argv[1], (unsigned int)inaddr.s_addr);

    if (inet_ntop(AF_INET, &inaddr.s_addr, buf, sizeof(buf)) == NULL) {
        perror("inet_ntop fail");
        return 1;
    }
    printf("inet_ntop(0x%X) = %s\n", (unsigned int)inaddr.s_addr, buf);
    return 0;
}
