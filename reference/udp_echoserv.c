/* udp_echoserv: a UDP echo server. Every datagram goes back to its own sender,
 * unchanged: one recvfrom() and one sendto() per datagram keep the boundaries. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

#define UDP_MAXPAYLOAD 65536    /* more than any datagram: none is truncated */

/* Echoes datagrams forever; returns only when recvfrom() fails. */
static void dg_echo(int s)
{
    char buf[UDP_MAXPAYLOAD];
    struct sockaddr_in cliaddr;
    socklen_t addrlen;
    ssize_t nbyte;

    for (;;) {
        addrlen = sizeof(cliaddr);      /* recvfrom() shrinks it: reset each time */
        nbyte = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&cliaddr, &addrlen);
        if (nbyte < 0) {
            if (errno == EINTR)
                continue;
            perror("recvfrom fail");
            return;
        }
        /* nbyte may be 0: an empty datagram is echoed as an empty datagram */
        if (sendto(s, buf, (size_t)nbyte, 0, (struct sockaddr *)&cliaddr, addrlen) < 0)
            perror("sendto fail");      /* only this reply is lost; serve the others */
    }
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;
    int s, port;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <port>\n", argv[0]);
        return 1;
    }
    if ((port = parse_port(argv[1])) < 0) {
        fprintf(stderr, "invalid port: %s (1..65535)\n", argv[1]);
        return 1;
    }
    if ((s = socket(PF_INET, SOCK_DGRAM, 0)) < 0) {
        perror("socket fail");
        return 1;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_addr.s_addr = htonl(INADDR_ANY);
    servaddr.sin_port = htons((uint16_t)port);
    if (bind(s, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0)
        perror("bind fail");
    else
        dg_echo(s);
    close(s);
    return 1;
}
