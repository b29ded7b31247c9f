/*
 * c2chain public API: one header per stage of DESIGN.md. Include this, or only what you use.
 */
#ifndef C2C_C2CHAIN_H
#define C2C_C2CHAIN_H

#include "c2chain/err.h"
#include "c2chain/core.h"
#include "c2chain/json.h"
#include "c2chain/types.h"
#include "c2chain/ingest.h"

/* Version of the library ("0.1.0"). */
const char *c2c_version(void);

#endif
