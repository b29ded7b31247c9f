/*
 * Integer-microsecond UTC time: formatting as ISO 8601 and as Zeek's epoch seconds, and parsing
 * both, without the C library's time zone machinery (no localtime, no TZ).
 */
#include <stdio.h>
#include <string.h>

#include "c2chain/core.h"

/* Howard Hinnant's days_from_civil. */
int64_t
c2c_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

char *
c2c_time_format_iso(c2c_time t, char *buf, size_t len)
{
	int64_t secs = floordiv(t, C2C_USEC), us = t - secs * C2C_USEC;
	int64_t days = floordiv(secs, 86400), rem = secs - days * 86400, y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	(void)snprintf(buf, len, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ", (long long)y, m, d,
	    (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
	    (long long)us);
	return buf;
}

char *
c2c_time_format_epoch(c2c_time t, char *buf, size_t len)
{
	int64_t secs = floordiv(t, C2C_USEC), us = t - secs * C2C_USEC;
	(void)snprintf(buf, len, "%lld.%06lld", (long long)secs, (long long)us);
	return buf;
}

static int
digits(const char *s, size_t len, size_t *i, unsigned n, int64_t *out)
{
	int64_t v = 0;
	for (unsigned k = 0; k < n; k++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return 0;
}

/* Up to 9 fraction digits, truncated to microseconds. */
static int64_t
fraction_us(const char *s, size_t len, size_t *i)
{
	int64_t us = 0;
	unsigned n = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (n < 6)
			us = us * 10 + (s[*i] - '0');
		n++;
		(*i)++;
	}
	for (; n < 6; n++)
		us *= 10;
	return us;
}

c2c_err
c2c_time_parse(c2c_time *t, const char *s, size_t len)
{
	size_t i = 0;
	int64_t y, mo, d, h, mi, se, us = 0, off = 0;
	bool neg = false;

	if (len == 0)
		return C2C_EFORMAT;
	if (len >= 10 && s[4] == '-') {
		if (digits(s, len, &i, 4, &y) || s[i++] != '-' || digits(s, len, &i, 2, &mo) ||
		    i >= len || s[i++] != '-' || digits(s, len, &i, 2, &d) || i >= len ||
		    (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
			return C2C_EFORMAT;
		i++;
		if (digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
		    digits(s, len, &i, 2, &mi) || i >= len || s[i++] != ':' ||
		    digits(s, len, &i, 2, &se))
			return C2C_EFORMAT;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
			return C2C_EFORMAT;
		if (i < len && s[i] == '.') {
			i++;
			if (i >= len || s[i] < '0' || s[i] > '9')
				return C2C_EFORMAT;
			us = fraction_us(s, len, &i);
		}
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			int64_t oh, om;
			bool oneg = s[i] == '-';
			i++;
			if (digits(s, len, &i, 2, &oh))
				return C2C_EFORMAT;
			if (i < len && s[i] == ':')
				i++;
			if (digits(s, len, &i, 2, &om))
				return C2C_EFORMAT;
			off = (oh * 3600 + om * 60) * (oneg ? -1 : 1);
		}
		if (i != len)
			return C2C_EFORMAT;
		*t = ((c2c_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
			 mi * 60 + se - off) *
			 C2C_USEC +
		    us);
		return C2C_OK;
	}
	/* Epoch seconds with an optional fraction. */
	if (s[0] == '-') {
		neg = true;
		i++;
	}
	{
		int64_t secs = 0;
		unsigned n = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (++n > 12)
				return C2C_EFORMAT;
			secs = secs * 10 + (s[i] - '0');
			i++;
		}
		if (n == 0)
			return C2C_EFORMAT;
		if (i < len && s[i] == '.') {
			i++;
			us = fraction_us(s, len, &i);
		}
		if (i != len)
			return C2C_EFORMAT;
		*t = (secs * C2C_USEC + us) * (neg ? -1 : 1);
	}
	return C2C_OK;
}
