/* open_socket: files and sockets share one descriptor table. Open a file, a TCP socket,
 * a UDP socket and another file, and print the descriptor each one got: the lowest free
 * ones, which are 3..6 only if nothing else was open. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* Prints the descriptor, or reports the call that failed to give one. */
static bool show(int fd, const char *label, const char *call)
{
    if (fd < 0) {
        perror(call);
        return false;
    }
    printf("%s = %d\n", label, fd);
    return true;
}

int main(int argc, char *argv[])
{
    int fd1 = -1, sd1 = -1, sd2 = -1, fd2 = -1;
    int status = 1;

    if (argc != 1) {
        fprintf(stderr, "usage: %s\n", argv[0]);
        return 1;
    }

    fd1 = open("/etc/passwd", O_RDONLY);        /* passwd 파일 열기 */
    if (!show(fd1, "/etc/passwd's file descriptor", "open /etc/passwd"))
        goto out;
    sd1 = socket(PF_INET, SOCK_STREAM, 0);      /* 스트림형 소켓 개설 */
    if (!show(sd1, "stream socket descriptor", "socket(SOCK_STREAM) fail"))
        goto out;
    sd2 = socket(PF_INET, SOCK_DGRAM, 0);       /* 데이터그램형 소켓 개설 */
    if (!show(sd2, "datagram socket descriptor", "socket(SOCK_DGRAM) fail"))
        goto out;
    fd2 = open("/etc/hosts", O_RDONLY);         /* hosts 파일 열기 */
    if (!show(fd2, "/etc/hosts's file descriptor", "open /etc/hosts"))
        goto out;
    status = 0;
out:
    if (fd2 >= 0)
        close(fd2);
    if (sd2 >= 0)
        close(sd2);
    if (sd1 >= 0)
        close(sd1);
    if (fd1 >= 0)
        close(fd1);
    return status;
}
