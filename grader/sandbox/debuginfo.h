/* debuginfo: which separate debug file Valgrind really needs. Debian's libc6-dbg puts the DWARF
 * of libc and the loader under /usr/lib/debug/.build-id; Valgrind must read the loader's symbols
 * (to redirect its strlen) but reading libc's costs half of every run's start-up. */
#ifndef SOCKGRADE_DEBUGINFO_H
#define SOCKGRADE_DEBUGINFO_H

#include <stddef.h>

#define DEBUGINFO_DIR "/usr/lib/debug"

/* Writes the path of the dynamic loader's debug file (DEBUGINFO_DIR/.build-id/xx/yyyy.debug)
 * into path; returns 0, or -1 when the loader has no build id or the file is not installed. */
int debuginfo_loader_file(char *path, size_t len);

#endif
