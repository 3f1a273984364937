/* sandbox_int: what sandbox.c (namespaces and root) shares with sandbox_proc.c (processes). */
#ifndef SOCKGRADE_SANDBOX_INT_H
#define SOCKGRADE_SANDBOX_INT_H

#include <limits.h>

#include "sandbox.h"

struct sandbox_state {
    enum sandbox_mode mode;
    int entered;
    char root[1024]; /* the prepared root (namespaces mode) */
};

extern struct sandbox_state sandbox_state;

#endif
