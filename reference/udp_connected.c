/* udp_connected: a connected UDP echo client. connect() on a UDP socket sends nothing;
 * it fixes the peer in the kernel, so send()/recv() need no address, datagrams from any
 * other address are dropped, and an ICMP "port unreachable" comes back as ECONNREFUSED
 * at recv() instead of leaving it blocked. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

/* One datagram each way per line; returns the exit status. */
static int dg_cli(FILE *fp, int s)
{
    char sendline[MAXLINE], recvline[MAXLINE];
    ssize_t n;

    for (;;) {
        printf("입력 : ");
        fflush(stdout);
        if (fgets(sendline, sizeof(sendline), fp) == NULL) {
            if (ferror(fp)) {
                perror("fgets fail");
                return 1;
            }
            return 0;               /* EOF: done */
        }
        if (send(s, sendline, strlen(sendline), 0) < 0) {
            perror("send fail");
            return 1;
        }
        if ((n = recv(s, recvline, sizeof(recvline), 0)) < 0) {
            perror("recv fail");
            return 1;
        }
        printf("수신 : ");
        fwrite(recvline, 1, (size_t)n, stdout);     /* exactly the n bytes received */
    }
}

/* Ends the association: connect() to an address whose family is AF_UNSPEC. */
static int dg_disconnect(int s)
{
    struct sockaddr_in unspec;

    memset(&unspec, 0, sizeof(unspec));
    unspec.sin_family = AF_UNSPEC;
    /* BSD kernels disconnect but report EAFNOSUPPORT; that is not a failure */
    if (connect(s, (struct sockaddr *)&unspec, sizeof(unspec)) < 0 && errno != EAFNOSUPPORT) {
        perror("connect(AF_UNSPEC) fail");
        return 1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;
    int s, port, status = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <server IP> <port>\n", argv[0]);
        return 1;
    }
    if ((port = parse_port(argv[2])) < 0) {
        fprintf(stderr, "invalid port: %s (1..65535)\n", argv[2]);
        return 1;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, argv[1], &servaddr.sin_addr) != 1) {
        fprintf(stderr, "inet_pton(%s): invalid address\n", argv[1]);
        return 1;
    }
    if ((s = socket(PF_INET, SOCK_DGRAM, 0)) < 0) {
        perror("socket fail");
        return 1;
    }
    if (connect(s, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0)
        perror("connect fail");
    else if ((status = dg_cli(stdin, s)) == 0)
        status = dg_disconnect(s);
    close(s);
    return status;
}
