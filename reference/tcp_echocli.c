/* tcp_echocli: a TCP client of the echo service (port 7). Each stdin line is sent and
 * the echo printed, until EOF. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

/* One exchange per line. The echo may arrive in pieces, so it is read with read_line()
 * up to the length sent rather than with one read(). Returns the exit status. */
static int str_cli(FILE *fp, int s)
{
    char sendline[MAXLINE], recvline[MAXLINE];
    size_t len;
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
        if ((len = strlen(sendline)) == 0)
            continue;               /* a line starting with NUL: nothing to send */
        if (writen(s, sendline, len) < 0) {     /* the text only, no NUL */
            perror("write fail");
            return 1;
        }
        if ((n = read_line(s, recvline, len)) < 0) {
            perror("read fail");
            return 1;
        }
        if (n > 0) {
            printf("수신 : ");
            fwrite(recvline, 1, (size_t)n, stdout);
        }
        /* short and without a newline: read_line() stopped at EOF */
        if ((size_t)n < len && memchr(recvline, '\n', (size_t)n) == NULL) {
            fprintf(stderr, "str_cli: server terminated prematurely\n");
            return 1;
        }
    }
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;
    int s, status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <server IP>\n", argv[0]);
        return 1;
    }
    /* a write to a reset connection must fail with EPIPE, not kill us silently */
    signal(SIGPIPE, SIG_IGN);

    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(7);       /* echo 서비스 port */
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
        status = str_cli(stdin, s);
    close(s);
    return status;
}
