/*
 * Strobes: pairs with very many connections. RITA v5 treats a pair with 86,400 or more
 * connections in its 24 h window as a strobe and never scores it as a beacon. The default mode
 * keeps the rate, not the count: strobe.min_connections_per_day for every started day of the
 * window (at least one), so a multi-day window does not turn a steady beacon into a strobe.
 */
#include "detect/internal.h"

uint64_t
c2c__strobe_threshold(const struct c2c_config *cfg, bool rita, int64_t window_us)
{
	uint64_t per_day = (uint64_t)c2c_config_int(cfg, "strobe.min_connections_per_day");
	int64_t day = 86400LL * C2C_USEC, days;
	if (rita)
		return per_day;
	days = window_us <= day ? 1 : (window_us + day - 1) / day;
	return per_day * (uint64_t)days;
}
