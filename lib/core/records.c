/*
 * Names of the record model's enumerations (types.h).
 */
#include <string.h>

#include "c2chain/types.h"

static const char *const state_names[] = {
#define C2C_X_(n, s) s,
	C2C_CONN_STATE_MAP(C2C_X_)
#undef C2C_X_
};

const char *
c2c_conn_state_name(enum c2c_conn_state s)
{
	return (unsigned)s < C2C_CS__COUNT ? state_names[s] : "-";
}

c2c_err
c2c_conn_state_parse(const char *s, enum c2c_conn_state *out)
{
	for (unsigned i = 0; i < C2C_CS__COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum c2c_conn_state)i;
			return C2C_OK;
		}
	}
	return C2C_ENOTFOUND;
}
