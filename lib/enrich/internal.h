/*
 * Shared inside lib/enrich/ (never installed).
 */
#ifndef C2C_ENRICH_INTERNAL_H
#define C2C_ENRICH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF (geo.c). */
bool c2c__utf8_valid(const uint8_t *p, size_t n);

#endif
