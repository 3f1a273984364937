/* port_number: a client's local port is chosen by the kernel, for TCP when connect()
 * succeeds, for UDP at the first sendto(). getsockname() afterwards shows which. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Prints the local port s is bound to; returns the exit status. */
static int print_local_port(int s, const char *label)
{
    struct sockaddr_in addr;
    socklen_t addrlen = sizeof(addr);   /* in/out: left unset, the port can read as 0 */

    if (getsockname(s, (struct sockaddr *)&addr, &addrlen) < 0) {
        perror("getsockname fail");
        return 1;
    }
    printf("%s = %d\n", label, ntohs(addr.sin_port));
    return 0;
}

/* Makes each socket get its port, then asks. Returns the exit status. */
static int show_ports(int tcp_s, int udp_s, const struct sockaddr_in *servaddr)
{
    static const char msg[] = "port_number\n";

    if (connect(tcp_s, (const struct sockaddr *)servaddr, sizeof(*servaddr)) < 0) {
        perror("connect fail");
        return 1;
    }
    if (print_local_port(tcp_s, "스트림 소켓 포트번호") != 0)
        return 1;
    /* no reply is awaited: the port is bound once the datagram is sent */
    if (sendto(udp_s, msg, sizeof(msg) - 1, 0,
               (const struct sockaddr *)servaddr, sizeof(*servaddr)) < 0) {
        perror("sendto fail");
        return 1;
    }
    return print_local_port(udp_s, "데이터그램 소켓 포트번호");
}

int main(int argc, char *argv[])
{
    struct sockaddr_in servaddr;
    const char *ip = argc == 2 ? argv[1] : "127.0.0.1";
    int tcp_s = -1, udp_s = -1, status = 1;

    if (argc > 2) {
        fprintf(stderr, "usage: %s [server IP]\n", argv[0]);
        return 1;
    }
    memset(&servaddr, 0, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(7);       /* echo 서비스 port */
    if (inet_pton(AF_INET, ip, &servaddr.sin_addr) != 1) {
        fprintf(stderr, "inet_pton(%s): invalid address\n", ip);
        return 1;
    }
    if ((tcp_s = socket(PF_INET, SOCK_STREAM, 0)) < 0
        || (udp_s = socket(PF_INET, SOCK_DGRAM, 0)) < 0)
        perror("socket fail");
    else
        status = show_ports(tcp_s, udp_s, &servaddr);
    if (udp_s >= 0)
        close(udp_s);
    if (tcp_s >= 0)
        close(tcp_s);
    return status;
}
