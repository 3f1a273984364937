/* tcp_echoserv: an iterative TCP echo server. Accept one client, echo everything it
 * sends until it closes, close, accept the next. A client that fails ends only its own
 * connection. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sockio.h"

/* Echoes until the client closes: 0 then, -1 with errno set if the connection fails.
 * One read() may return part of what was sent, so loop rather than echo once. */
static int str_echo(int s)
{
    char buf[MAXLINE];
    ssize_t n;

    for (;;) {
        if ((n = read(s, buf, sizeof(buf))) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        if (writen(s, buf, (size_t)n) < 0)
            return -1;
    }
}

/* socket(), bind() to INADDR_ANY:port, listen(). Returns the socket or -1. */
static int tcp_listen(int port)
{
    struct sockaddr_in servaddr;
    int listen_sock, on = 1;

    if ((listen_sock = socket(PF_INET, SOCK_STREAM, 0)) < 0) {
        perror("socket fail");
        return -1;
    }
    /* a restart may bind again at once, though old connections sit in TIME_WAIT */
    if (setsockopt(listen_sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) {
        perror("setsockopt(SO_REUSEADDR) fail");
        goto fail;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_addr.s_addr = htonl(INADDR_ANY);
    servaddr.sin_port = htons((uint16_t)port);
    if (bind(listen_sock, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0) {
        perror("bind fail");
        goto fail;
    }
    if (listen(listen_sock, 5) < 0) {
        perror("listen fail");
        goto fail;
    }
    return listen_sock;
fail:
    close(listen_sock);
    return -1;
}

int main(int argc, char *argv[])
{
    struct sockaddr_in cliaddr;
    socklen_t addrlen;
    int listen_sock, accp_sock, port;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <port>\n", argv[0]);
        return 1;
    }
    if ((port = parse_port(argv[1])) < 0) {
        fprintf(stderr, "invalid port: %s (1..65535)\n", argv[1]);
        return 1;
    }
    /* writing to a client that reset raises SIGPIPE, which would end the server */
    signal(SIGPIPE, SIG_IGN);
    if ((listen_sock = tcp_listen(port)) < 0)
        return 1;

    for (;;) {
        addrlen = sizeof(cliaddr);      /* accept() shrinks it: reset each time */
        accp_sock = accept(listen_sock, (struct sockaddr *)&cliaddr, &addrlen);
        if (accp_sock < 0) {
            /* a signal, or a client that gave up while queued: not our failure */
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept fail");
            break;
        }
        if (str_echo(accp_sock) < 0)
            perror("str_echo");         /* that client is gone; serve the next */
        close(accp_sock);
    }
    close(listen_sock);
    return 1;
}
