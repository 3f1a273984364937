/* mydaytime: a TCP client of the daytime service (port 13). The server sends one string
 * and closes; TCP may deliver it in several pieces, so read until EOF, not once. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

/* Copies everything the server sends to stdout; returns the exit status. */
static int daytime_cli(int s)
{
    char buf[MAXLINE];
    char last = '\n';
    ssize_t n;

    do {
        /* readn() returns less than a full buffer only at EOF */
        if ((n = readn(s, buf, sizeof(buf))) < 0) {
            perror("read fail");
            return 1;
        }
        fwrite(buf, 1, (size_t)n, stdout);
        if (n > 0)
            last = buf[n - 1];
    } while ((size_t)n == sizeof(buf));
    if (last != '\n')
        putchar('\n');      /* keep the shell prompt off the server's line */
    return 0;
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;        /* 서버 소켓 구조체 */
    int s, status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <server IP>\n", argv[0]);
        return 1;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(13);      /* daytime 서비스 port */
    if (inet_pton(AF_INET, argv[1], &servaddr.sin_addr) != 1) {
        fprintf(stderr, "inet_pton(%s): invalid address\n", argv[1]);
        return 1;
    }
    if ((s = socket(PF_INET, SOCK_STREAM, 0)) < 0) {
        perror("socket fail");
        return 1;
    }
    if (connect(s, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0)
        perror("connect fail");
    else
        status = daytime_cli(s);
    close(s);
    return status;
}
