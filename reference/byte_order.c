/* byte_order: getservbyname() returns the port in network byte order. Printing it raw
 * shows the bytes swapped on a little-endian host (echo 7 -> 1792); ntohs() fixes it. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
    struct servent *servent;

    if (argc != 1) {
        fprintf(stderr, "usage: %s\n", argv[0]);
        return 1;
    }
    servent = getservbyname("echo", "udp");
    if (servent == NULL) {
        fprintf(stderr, "서비스 정보를 얻을 수 없음: no echo/udp entry in /etc/services\n");
        endservent();
        return 1;
    }
    printf("UDP 에코 포트번호(네트워크 순서) : %d\n", servent->s_port);
    printf("UDP 에코 포트번호(호스트 순서) : %d\n", ntohs((uint16_t)servent->s_port));
    endservent();
    return 0;
}
