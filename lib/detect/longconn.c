/*
 * Long connections (RITA v5 analysis.go): a pair whose connections last at least
 * longconn.base in total, still-open connections included, is reported; the total maps
 * linearly to an impact of 0.2-0.8 through the base/low/medium/high thresholds.
 */
#include "detect/internal.h"

bool
c2c__longconn_eval(const struct c2c_config *cfg, int64_t total_us, int64_t *impact_e6)
{
	int64_t base = c2c_config_int(cfg, "longconn.base");
	if (total_us < base)
		return false;
	*impact_e6 = c2c__bucket_e6(total_us, base, c2c_config_int(cfg, "longconn.low"),
	    c2c_config_int(cfg, "longconn.medium"), c2c_config_int(cfg, "longconn.high"));
	return true;
}
