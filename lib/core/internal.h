/* Shared inside lib/ only, never installed: core functions other stages may call. */
#ifndef C2C_CORE_INTERNAL_H
#define C2C_CORE_INTERNAL_H

#include <stdint.h>

/* Allocations that failed on this thread so far (see alloc.c). */
uint64_t c2c__alloc_failures(void);

#endif
