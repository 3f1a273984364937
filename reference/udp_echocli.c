/* udp_echocli: a UDP echo client. Each stdin line is one datagram to the server; the
 * reply datagram is printed, until EOF. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

/* One datagram each way per line; returns the exit status. */
static int dg_cli(FILE *fp, int s, const struct sockaddr_in *servaddr)
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
        if (sendto(s, sendline, strlen(sendline), 0,
                   (const struct sockaddr *)servaddr, sizeof(*servaddr)) < 0) {
            perror("sendto fail");
            return 1;
        }
        /* the sender is not kept: storing it in servaddr, as the textbook does, would
         * let one stray datagram redirect every later sendto() */
        if ((n = recvfrom(s, recvline, sizeof(recvline), 0, NULL, NULL)) < 0) {
            perror("recvfrom fail");
            return 1;
        }
        printf("수신 : ");
        fwrite(recvline, 1, (size_t)n, stdout);     /* exactly the n bytes received */
    }
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;
    int s, port, status;

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
    status = dg_cli(stdin, s, &servaddr);
    close(s);
    return status;
}
