/*
 * Bounded IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), as Zeek does before counting a
 * datagram. A fixed table of slots, each keyed by (family, source, destination, protocol, id),
 * collects payload bytes at their offsets and marks which 8-byte blocks arrived in a bitmap.
 * When the last fragment has been seen and every block is present, the datagram is rebuilt as
 * header-of-first-fragment (with lengths fixed up) + payload in the slot's own buffer and lent
 * to the decoder until the next packet. Limits: C2C_DEFRAG_SLOTS datagrams in flight (the
 * oldest is evicted), C2C_DEFRAG_MEM bytes of buffers, C2C_DEFRAG_TIMEOUT of silence. Each way
 * a datagram is lost has its counter.
 */
#include <string.h>

#include "ingest/decode.h"

#define C2C_DEFRAG_SLOTS 256u
#define C2C_DEFRAG_MEM (32u << 20)
#define C2C_DEFRAG_TIMEOUT (60 * C2C_USEC) /* Linux ipfrag_time is 30 s; Zeek's default none */
#define HDR_ROOM 512u                      /* room before the payload for the rebuilt header */
#define MAX_DGRAM 65535u                   /* reassembled payload cap (no jumbograms) */
#define NBLOCKS ((MAX_DGRAM + 7u) / 8u)

struct slot {
	bool used;
	bool lent; /* handed out for the current packet; freed at the next begin */
	uint8_t proto;
	struct c2c_ip src, dst;
	uint32_t id;
	c2c_time first;
	uint8_t *buf;
	uint32_t alloc;
	bool have_hdr;
	uint32_t hdr_len, nh_off;
	uint8_t next;
	uint32_t total; /* payload length, known once the last fragment arrived; 0 = unknown */
	uint8_t bits[(NBLOCKS + 7u) / 8u];
};

struct c2c_defrag {
	struct slot *slots; /* C2C_DEFRAG_SLOTS, allocated with the first fragment */
	size_t mem;
};

struct c2c_defrag *
c2c__defrag_new(void)
{
	return c2c_calloc(1, sizeof(struct c2c_defrag));
}

void
c2c__defrag_free(struct c2c_defrag *df)
{
	if (df == NULL)
		return;
	if (df->slots != NULL)
		for (unsigned i = 0; i < C2C_DEFRAG_SLOTS; i++)
			c2c_free(df->slots[i].buf);
	c2c_free(df->slots);
	c2c_free(df);
}

static void
slot_release(struct slot *s)
{
	s->used = false;
	s->lent = false;
}

void
c2c__defrag_begin(struct c2c_defrag *df)
{
	if (df->slots == NULL)
		return;
	for (unsigned i = 0; i < C2C_DEFRAG_SLOTS; i++)
		if (df->slots[i].lent)
			slot_release(&df->slots[i]);
}

static bool
same_key(const struct slot *s, const struct c2c_frag_in *in)
{
	return s->id == in->id && s->proto == in->proto && c2c_ip_eq(&s->src, &in->src) &&
	    c2c_ip_eq(&s->dst, &in->dst);
}

/* Find the datagram's slot or open one, expiring stale ones and evicting the oldest when the
 * table is full. NULL on allocation failure (counted as a drop by the caller). */
static struct slot *
slot_get(struct c2c_defrag *df, const struct c2c_frag_in *in, struct c2c_ingest_stats *st)
{
	struct slot *hit = NULL, *free_slot = NULL, *oldest = NULL;

	if (df->slots == NULL) {
		df->slots = c2c_calloc(C2C_DEFRAG_SLOTS, sizeof(*df->slots));
		if (df->slots == NULL)
			return NULL;
	}
	for (unsigned i = 0; i < C2C_DEFRAG_SLOTS; i++) {
		struct slot *s = &df->slots[i];
		if (s->used && !s->lent && in->ts > s->first &&
		    (uint64_t)in->ts - (uint64_t)s->first > (uint64_t)C2C_DEFRAG_TIMEOUT) {
			st->n[C2C_ST_DEC_FRAG_TIMED_OUT]++;
			slot_release(s);
		}
		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (s->lent)
			continue;
		if (hit == NULL && same_key(s, in))
			hit = s;
		if (oldest == NULL || s->first < oldest->first)
			oldest = s;
	}
	if (hit != NULL)
		return hit;
	if (free_slot == NULL) {
		if (oldest == NULL)
			return NULL; /* every slot lent out for this very packet */
		st->n[C2C_ST_DEC_FRAG_DROPPED]++;
		slot_release(oldest);
		free_slot = oldest;
	}
	{
		uint8_t *buf = free_slot->buf;
		uint32_t alloc = free_slot->alloc;
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->buf = buf;
		free_slot->alloc = alloc;
	}
	free_slot->used = true;
	free_slot->src = in->src;
	free_slot->dst = in->dst;
	free_slot->id = in->id;
	free_slot->proto = in->proto;
	free_slot->first = in->ts;
	return free_slot;
}

static bool
slot_reserve(struct c2c_defrag *df, struct slot *s, uint32_t need)
{
	uint32_t n;
	uint8_t *b;

	if (need <= s->alloc)
		return true;
	n = s->alloc ? s->alloc : 4096u;
	while (n < need)
		n *= 2;
	if (df->mem - s->alloc + n > C2C_DEFRAG_MEM)
		return false;
	b = c2c_realloc(s->buf, n);
	if (b == NULL)
		return false;
	df->mem = df->mem - s->alloc + n;
	s->buf = b;
	s->alloc = n;
	return true;
}

static bool
complete(const struct slot *s)
{
	uint32_t nb;

	if (!s->have_hdr || s->total == 0)
		return false;
	nb = (s->total + 7u) / 8u;
	for (uint32_t i = 0; i < nb / 8u; i++)
		if (s->bits[i] != 0xff)
			return false;
	for (uint32_t b = nb / 8u * 8u; b < nb; b++)
		if (!(s->bits[b / 8u] & (1u << (b % 8u))))
			return false;
	return true;
}

static int
dropped(struct slot *s, struct c2c_ingest_stats *st, enum c2c_stat why)
{
	st->n[why]++;
	if (s != NULL)
		slot_release(s);
	return -1;
}

int
c2c__defrag_add(struct c2c_defrag *df, const struct c2c_frag_in *in,
    struct c2c_ingest_stats *st, const uint8_t **dg, uint32_t *dglen)
{
	struct slot *s;
	uint32_t end = in->off + in->len;
	uint8_t *h;

	if (end > MAX_DGRAM || in->hdr_len > HDR_ROOM || (in->more && (in->len % 8u) != 0) ||
	    in->len == 0)
		return dropped(NULL, st, C2C_ST_DEC_FRAG_BAD);
	s = slot_get(df, in, st);
	if (s == NULL)
		return dropped(NULL, st, C2C_ST_DEC_FRAG_DROPPED);
	if (!in->more) {
		if (s->total != 0 && s->total != end)
			return dropped(s, st, C2C_ST_DEC_FRAG_BAD); /* two different ends */
		s->total = end;
	} else if (s->total != 0 && end > s->total) {
		return dropped(s, st, C2C_ST_DEC_FRAG_BAD);
	}
	if (!slot_reserve(df, s, HDR_ROOM + end))
		return dropped(s, st, C2C_ST_DEC_FRAG_DROPPED);
	memcpy(s->buf + HDR_ROOM + in->off, in->data, in->len);
	for (uint32_t b = in->off / 8u; b < (end + 7u) / 8u; b++)
		s->bits[b / 8u] |= (uint8_t)(1u << (b % 8u));
	if (in->off == 0 && !s->have_hdr) {
		/* Keep the header of the first fragment in front of the payload. */
		memcpy(s->buf + HDR_ROOM - in->hdr_len, in->hdr, in->hdr_len);
		s->have_hdr = true;
		s->hdr_len = in->hdr_len;
		s->nh_off = in->nh_off;
		s->next = in->next;
	}
	if (!complete(s))
		return 0;
	if (s->hdr_len + s->total > MAX_DGRAM)
		return dropped(s, st, C2C_ST_DEC_FRAG_BAD);
	h = s->buf + HDR_ROOM - s->hdr_len;
	if (in->src.family == 4) {
		uint32_t tot = s->hdr_len + s->total;
		uint16_t sum;
		h[2] = (uint8_t)(tot >> 8);
		h[3] = (uint8_t)tot;
		h[6] &= 0x40; /* keep DF, clear MF and the offset */
		h[7] = 0;
		h[10] = 0;
		h[11] = 0;
		sum = (uint16_t)~c2c__csum_fold(c2c__csum_add(0, h, s->hdr_len));
		h[10] = (uint8_t)(sum >> 8);
		h[11] = (uint8_t)sum;
	} else {
		uint32_t plen = s->hdr_len - 40 + s->total;
		h[4] = (uint8_t)(plen >> 8);
		h[5] = (uint8_t)plen;
		h[s->nh_off] = s->next; /* unlink the fragment header */
	}
	st->n[C2C_ST_DEC_FRAG_REASSEMBLED]++;
	s->lent = true;
	*dg = h;
	*dglen = s->hdr_len + s->total;
	return 1;
}
