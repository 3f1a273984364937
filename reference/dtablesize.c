/* dtablesize: how many descriptors (files and sockets alike) this process may have open,
 * i.e. the RLIMIT_NOFILE soft limit it was started with. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s\n", argv[0]);
        return 1;
    }
    printf("getdtablesize() = %d\n", getdtablesize());
    return 0;
}
