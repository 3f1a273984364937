/* get_host_byaddr: the reverse lookup. Dotted decimal -> binary address (inet_pton) ->
 * gethostbyaddr() -> the host's official name. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

int main(int argc, char *argv[])
{
    struct in_addr in;
    struct hostent *myhost;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <dotted decimal IP>\n", argv[0]);
        return 1;
    }
    /* an unchecked failure would look up whatever bytes `in` happened to hold */
    if (inet_pton(AF_INET, argv[1], &in.s_addr) != 1) {
        fprintf(stderr, "inet_pton(%s): invalid address\n", argv[1]);
        return 1;
    }
    myhost = gethostbyaddr(&in.s_addr, sizeof(in.s_addr), AF_INET);
    if (myhost == NULL) {
        /* the resolver reports through h_errno, not errno */
        fprintf(stderr, "Error at gethostbyaddr(%s): %s\n", argv[1], hstrerror(h_errno));
        endhostent();
        return 1;
    }
    printf("호스트 이름 : %s\n", myhost->h_name);
    endhostent();
    return 0;
}
