/* get_hostent: look a host name up with gethostbyname() and print the whole hostent:
 * official name, aliases, address type and length, and every address. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>

/* Prints hp field by field; returns the exit status. */
static int print_hostent(const struct hostent *hp)
{
    char buf[INET6_ADDRSTRLEN];
    int i;

    printf("호스트 이름 : %s\n", hp->h_name);
    for (i = 0; hp->h_aliases[i] != NULL; i++)
        printf("호스트 별명(%d 번째) : %s\n", i + 1, hp->h_aliases[i]);
    printf("호스트 주소타입 번호 : %d\n", hp->h_addrtype);
    printf("호스트 주소의 길이 : %d\n", hp->h_length);

    /* h_addr_list holds binary addresses in network order, h_length bytes each */
    for (i = 0; hp->h_addr_list[i] != NULL; i++) {
        if (inet_ntop(hp->h_addrtype, hp->h_addr_list[i], buf, sizeof(buf)) == NULL) {
            perror("inet_ntop fail");
            return 1;
        }
        printf("IP주소(%d번째) : %s\n", i + 1, buf);
    }
    return 0;
}

int main(int argc, char *argv[])
{
    struct hostent *hp;
    int status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <host name>\n", argv[0]);
        return 1;
    }
    hp = gethostbyname(argv[1]);
    if (hp == NULL) {
        /* the resolver reports through h_errno, not errno, so perror() would mislead */
        fprintf(stderr, "gethostbyname(%s) fail: %s\n", argv[1], hstrerror(h_errno));
        endhostent();
        return 1;
    }
    status = print_hostent(hp);
    endhostent();
    return status;
}
