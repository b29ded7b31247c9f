/*
 * Reference lists without strings: the evidence stage keeps references parsed and renders each
 * once, so its renderer (and c2c_evref_format) must give the documented bytes, its comparator
 * (c2c_evref_text_cmp) the byte order (strcmp) of the rendered strings, and c2c_case_add_evrefs the list, root and files that
 * c2c_case_add_reflist gives for the same references as strings (checked against an oracle
 * that sorts the strings with strcmp), whether the case works on one thread or splits long
 * lists over two. C2C_TORTURE: rerun with every allocation failing in turn.
 */
#include <dirent.h>
#include <stdio.h>

#include "c2chain/evidence.h"
#include "c2chain/json.h"
#include "evidence/internal.h"
#include "test.h"

static uint64_t g_rng = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return g_rng * 0x2545f4914f6cdd1du;
}

/* Numbers whose renderings share prefixes, and the extremes. */
static const uint64_t g_edge[] = { 0u, 1u, 2u, 9u, 10u, 11u, 12u, 19u, 20u, 99u, 100u, 101u,
	110u, 120u, 123u, 1000u, 1200u, 1234u, 12345u, 4294967295u, 4294967296u, 2147483647u,
	999999999999999999u, 1000000000000000000u, 9999999999999999999u, 10000000000000000000u,
	12345678901234567890u, 18446744073709551615u };

static uint64_t
pick(uint64_t max)
{
	uint64_t v;
	switch (rnd() % 4) {
	case 0:
		v = g_edge[rnd() % C2C_ARRAY_LEN(g_edge)];
		break;
	case 1:
		v = rnd() % 200;
		break;
	case 2:
		v = rnd() % 100000;
		break;
	default:
		v = rnd();
		break;
	}
	return max == UINT64_MAX ? v : v % (max + 1);
}

static void
random_ref(struct c2c__ref *r, const uint8_t (*shas)[32], size_t n_sha)
{
	memcpy(r->sha, shas[rnd() % n_sha], 32);
	r->off = pick(UINT64_MAX);
	r->len = (uint32_t)pick(UINT32_MAX);
	r->rec = rnd() % 3 == 0 ? -1 : (int32_t)pick(INT32_MAX);
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

/* The documented form, by printf: the oracle for both renderers. */
static void
oracle(const struct c2c__ref *r, char out[C2C_EVREF_STRLEN])
{
	char hex[65];
	(void)c2c_hex(r->sha, 32, hex);
	if (r->rec >= 0)
		(void)snprintf(out, C2C_EVREF_STRLEN, "ev:%s/%llu+%u#%d", hex,
		    (unsigned long long)r->off, r->len, r->rec);
	else
		(void)snprintf(out, C2C_EVREF_STRLEN, "ev:%s/%llu+%u", hex,
		    (unsigned long long)r->off, r->len);
}

/* The renderers and the order against printf and strcmp. */
static void
test_text_and_order(void)
{
	uint8_t shas[3][32];
	memset(shas[0], 0x5a, 32);
	memcpy(shas[1], shas[0], 32);
	shas[1][31] = 0x5b; /* differs in the last hex digit only */
	memset(shas[2], 0x00, 32);
	/* Fewer pairs when rerun under allocation failure (nothing here allocates). */
	for (int i = 0, n = getenv("C2C_TEST_FAIL_ALLOC") != NULL ? 2000 : 100000; i < n; i++) {
		struct c2c__ref a, b;
		struct c2c_evref ea, eb;
		char sa[C2C_EVREF_STRLEN], sb[C2C_EVREF_STRLEN], fa[C2C_EVREF_STRLEN],
		    fb[C2C_EVREF_STRLEN], hex[65];
		size_t la;
		random_ref(&a, (const uint8_t(*)[32])shas, 3);
		if (rnd() % 2 == 0) {
			b = a; /* near a: one field nudged or re-picked */
			switch (rnd() % 4) {
			case 0:
				/* a decimal extension of a's offset, or its prefix */
				b.off = a.off <= (UINT64_MAX - 9) / 10 ? a.off * 10 + rnd() % 10
								       : a.off / 10;
				break;
			case 1:
				b.len = (uint32_t)pick(UINT32_MAX);
				break;
			case 2:
				b.rec = rnd() % 2 ? -1 : (int32_t)pick(INT32_MAX);
				break;
			default:
				break; /* equal */
			}
		} else {
			random_ref(&b, (const uint8_t(*)[32])shas, 3);
		}
		ea = (struct c2c_evref){ 0, a.rec, a.off, a.len };
		eb = (struct c2c_evref){ 0, b.rec, b.off, b.len };
		oracle(&a, fa);
		oracle(&b, fb);
		la = c2c__ref_text(&a, c2c_hex(a.sha, 32, hex), sa);
		(void)c2c__ref_text(&b, c2c_hex(b.sha, 32, hex), sb);
		ASSERT(strcmp(sa, fa) == 0);
		ASSERT(strcmp(sb, fb) == 0);
		ASSERT_EQ(la, strlen(fa));
		ASSERT(strcmp(c2c_evref_format(&ea, a.sha, sa, sizeof(sa)), fa) == 0);
		ASSERT(strcmp(c2c_evref_format(&eb, b.sha, sb, sizeof(sb)), fb) == 0);
		ASSERT_EQ(sign(c2c_evref_text_cmp(&ea, a.sha, &eb, b.sha)), sign(strcmp(fa, fb)));
		if (sign(c2c__ref_text_cmp(&a, &b)) != sign(strcmp(fa, fb)))
			TEST_FAIL_("order of %s and %s: %d, strcmp %d", fa, fb,
			    c2c__ref_text_cmp(&a, &b), strcmp(fa, fb));
		ASSERT_EQ(sign(c2c__ref_text_cmp(&b, &a)), -sign(strcmp(fa, fb)));
	}
}

/* A records line is "<reference> <hex digest of the record>". */
static void
test_records_text(void)
{
	struct c2c__ref r;
	struct c2c_buf b;
	char line[C2C__RECLINE_MAX], hex[65];
	uint8_t d[32];
	size_t n;
	memset(r.sha, 0xab, 32);
	memset(d, 0xcd, 32);
	r.off = UINT64_MAX;
	r.len = UINT32_MAX;
	r.rec = INT32_MAX; /* the longest line there is */
	n = c2c__records_text(&r, c2c_hex(r.sha, 32, hex), d, line);
	ASSERT_EQ(n, (size_t)C2C__RECLINE_MAX - 1);
	ASSERT_EQ(strlen(line), n);
	c2c_buf_init(&b, 1 << 12);
	ASSERT_OK(c2c__records_line(&r, d, &b));
	ASSERT_EQ(b.len, n);
	ASSERT(memcmp(b.data, line, n) == 0);
	ASSERT(strncmp(line + n - 65, " cdcd", 5) == 0);
	c2c_buf_fini(&b);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
read_case_file(const char *dir, const char *rel, size_t *len)
{
	char p[4096];
	int n = snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ASSERT(n > 0 && (size_t)n < sizeof(p));
	return test_read_file(p, len);
}

#define N_REFS 6000
#define INPUT_LEN 5000

/* The same references through both entry points, against the strcmp oracle. */
static void
test_case_lists(void)
{
	const char *tmp = test_tmpdir();
	char input[4096], dir[2][4096], hex[65], rel[256];
	struct c2c_evref *ev = calloc(N_REFS, sizeof(*ev));
	char **s = calloc(N_REFS, sizeof(*s));
	uint8_t *bytes = malloc(INPUT_LEN), root[2][32], lv[N_REFS][32], want[32];
	uint64_t count[2] = { 0, 0 };
	struct c2c_input_info info;
	struct c2c_diag d;
	struct c2c_buf oracle;
	size_t u = 0, len[2];
	char *file[2];
	FILE *fp;

	ASSERT(ev != NULL && s != NULL && bytes != NULL);
	for (size_t i = 0; i < INPUT_LEN; i++)
		bytes[i] = (uint8_t)rnd();
	(void)snprintf(input, sizeof(input), "%s/input.bin", tmp);
	fp = fopen(input, "wb");
	ASSERT(fp != NULL);
	ASSERT_EQ(fwrite(bytes, 1, INPUT_LEN, fp), (size_t)INPUT_LEN);
	ASSERT(fclose(fp) == 0);
	memset(&info, 0, sizeof(info));
	info.format = C2C_FMT_PCAP;
	c2c_sha256(bytes, INPUT_LEN, info.sha256);
	info.size = INPUT_LEN;
	info.first_ts = 1;
	info.last_ts = 0;
	/* Offsets 0..1299 (many share prefixes: 12, 120, 1200), lengths 1..300, repeats. */
	for (size_t i = 0; i < N_REFS; i++) {
		ev[i].input = 0;
		ev[i].off = rnd() % 1300;
		ev[i].len = (uint32_t)(1 + rnd() % 300);
		ev[i].rec = rnd() % 2 ? -1 : (int32_t)(rnd() % 150);
		if (i > 0 && rnd() % 10 == 0)
			ev[i] = ev[rnd() % i];
		s[i] = malloc(C2C_EVREF_STRLEN);
		ASSERT(s[i] != NULL);
		(void)c2c_evref_format(&ev[i], info.sha256, s[i], C2C_EVREF_STRLEN);
	}
	for (int k = 0; k < 2; k++) {
		struct c2c_case *c = NULL;
		/* Strings on one thread against binary references on two. */
		struct c2c_case_opts o = { NULL, "c2chain.test/reflist", k == 0 ? 1u : 2u };
		json_t *report = json_object();
		ASSERT_NONNULL(report);
		(void)snprintf(dir[k], sizeof(dir[k]), "%s/case%d", tmp, k);
		memset(&d, 0, sizeof(d));
		ASSERT_OK(c2c_case_open(dir[k], &o, &c, &d));
		ASSERT_OK(c2c_case_add_input(c, input, &info, &d));
		if (k == 0)
			ASSERT_OK(c2c_case_add_reflist(c, (const char *const *)s, N_REFS, root[k],
			    &count[k], &d));
		else
			ASSERT_OK(c2c_case_add_evrefs(c, ev, N_REFS, root[k], &count[k], &d));
		/* An input index that was never added is refused. */
		ev[0].input = 1;
		ASSERT_ERR(c2c_case_add_evrefs(c, ev, 1, want, NULL, &d), C2C_EINVAL);
		ev[0].input = 0;
		ASSERT_OK(c2c_case_commit(c, report, &d));
		c2c_case_close(c);
		json_decref(report);
	}
	ASSERT(memcmp(root[0], root[1], 32) == 0);
	ASSERT_EQ(count[0], count[1]);

	/* Oracle: the strings sorted by strcmp, repeats dropped, one per line; the root over
	 * them as leaves. */
	qsort(s, N_REFS, sizeof(*s), cmp_strp);
	c2c_buf_init(&oracle, (size_t)1 << 24);
	for (size_t i = 0; i < N_REFS; i++) {
		if (i > 0 && strcmp(s[i], s[i - 1]) == 0)
			continue;
		c2c_merkle_leaf(s[i], strlen(s[i]), lv[u++]);
		ASSERT_OK(c2c_buf_printf(&oracle, "%s\n", s[i]));
	}
	c2c_merkle_root((const uint8_t(*)[32])lv, u, want);
	ASSERT_EQ(count[0], (uint64_t)u);
	ASSERT(memcmp(root[0], want, 32) == 0);
	(void)snprintf(rel, sizeof(rel), "evidence/refs/%s.txt", c2c_hex(want, 32, hex));
	for (int k = 0; k < 2; k++) {
		file[k] = read_case_file(dir[k], rel, &len[k]);
		ASSERT(file[k] != NULL);
		ASSERT_EQ(len[k], oracle.len);
		ASSERT(memcmp(file[k], oracle.data, oracle.len) == 0);
		free(file[k]);
	}
	/* Record commitments and ledger entries are the same bytes too (the checkpoints differ:
	 * each case has its own key). */
	(void)snprintf(rel, sizeof(rel), "evidence/records/%s.txt", c2c_hex(info.sha256, 32, hex));
	for (int r = 0; r < 2; r++) {
		const char *name = r == 0 ? rel : "ledger/entries.jsonl";
		for (int k = 0; k < 2; k++) {
			file[k] = read_case_file(dir[k], name, &len[k]);
			ASSERT(file[k] != NULL);
		}
		ASSERT_EQ(len[0], len[1]);
		ASSERT(memcmp(file[0], file[1], len[0]) == 0);
		free(file[0]);
		free(file[1]);
	}
	/* No temporary file is left behind. */
	for (int k = 0; k < 2; k++)
		for (int r = 0; r < 2; r++) {
			char p[4096 + 32];
			struct dirent *e;
			DIR *dp;
			int n = snprintf(p, sizeof(p), "%s/%s", dir[k],
			    r == 0 ? "evidence/refs" : "evidence/records");
			ASSERT(n > 0 && (size_t)n < sizeof(p));
			dp = opendir(p);
			ASSERT(dp != NULL);
			while ((e = readdir(dp)) != NULL)
				if (strstr(e->d_name, ".tmp.") != NULL)
					TEST_FAIL_("left behind: %s/%s", p, e->d_name);
			(void)closedir(dp);
		}
	c2c_buf_fini(&oracle);
	for (size_t i = 0; i < N_REFS; i++)
		free(s[i]);
	free(s);
	free(ev);
	free(bytes);
}

static int
cmp_namep(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (test-side malloc). */
static size_t
list_dir(const char *dir, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *dp = opendir(dir);
	ASSERT(dp != NULL);
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		ASSERT(v != NULL);
		v[n] = strdup(e->d_name);
		ASSERT(v[n] != NULL);
		n++;
	}
	(void)closedir(dp);
	qsort(v, n, sizeof(*v), cmp_namep);
	*out = v;
	return n;
}

#define N_LISTS 70 /* more than one window of the batch */

static const uint8_t *sort_sha; /* the input digest, for sort_text */

static int
sort_text(const void *a, const void *b)
{
	return c2c_evref_text_cmp(a, sort_sha, b, sort_sha);
}

/* A claim citing records of the lists and records no list cites (also past the end of those
 * the lists cite), appended after them. */
static json_t *
late_claim(const struct c2c_input_info *info, struct c2c_evref *const *lists)
{
	json_t *claim = json_object(), *ev = json_object(), *refs = json_array(), *v;
	char buf[C2C_EVREF_STRLEN];
	ASSERT_NONNULL(claim);
	ASSERT_NONNULL(ev);
	ASSERT_NONNULL(refs);
	for (int i = 0; i < 40; i++) {
		struct c2c_evref r = lists[i % 7][i];
		if (i % 2 == 1) {
			r.off = 4000 + (uint64_t)i * 3; /* not cited by any list */
			r.len = (uint32_t)(2 + i);
		}
		ASSERT_NONNULL(v = json_string(c2c_evref_format(&r, info->sha256, buf, sizeof(buf))));
		ASSERT_OK(c2c_json_append_new(refs, v));
	}
	ASSERT_OK(c2c_json_set_new(ev, "refs", refs));
	ASSERT_OK(c2c_json_set_new(claim, "evidence", ev));
	ASSERT_OK(c2c_json_set_str(claim, "id", "test:late"));
	ASSERT_OK(c2c_json_set_str(claim, "type", "test"));
	return claim;
}

/* Many lists in one call (spread over two threads) give the files and ledger of the same lists
 * added one by one on one thread, and so do they with their roots given (taken when a list is
 * in reference-string order already, recomputed when it is not) and the record commitments
 * computed early (c2c_case_precommit) before a claim cites more records. */
static void
test_batch(void)
{
	const char *tmp = test_tmpdir();
	char input[4096], dir[3][4096], sub[3][4096 + 32];
	uint8_t roots[N_LISTS][32];
	struct c2c_evref *lists[N_LISTS];
	size_t ns[N_LISTS];
	uint8_t *bytes = malloc(INPUT_LEN);
	struct c2c_input_info info;
	struct c2c_diag d;
	FILE *fp;

	ASSERT(bytes != NULL);
	for (size_t i = 0; i < INPUT_LEN; i++)
		bytes[i] = (uint8_t)rnd();
	(void)snprintf(input, sizeof(input), "%s/batch.bin", tmp);
	fp = fopen(input, "wb");
	ASSERT(fp != NULL);
	ASSERT_EQ(fwrite(bytes, 1, INPUT_LEN, fp), (size_t)INPUT_LEN);
	ASSERT(fclose(fp) == 0);
	memset(&info, 0, sizeof(info));
	info.format = C2C_FMT_PCAP;
	c2c_sha256(bytes, INPUT_LEN, info.sha256);
	info.size = INPUT_LEN;
	info.first_ts = 1;
	for (size_t l = 0; l < N_LISTS; l++) {
		/* Mostly short lists, some past the two-thread threshold; repeats across lists. */
		ns[l] = l % 30 == 0 ? 2500 + rnd() % 2000 : 65 + rnd() % 400;
		lists[l] = calloc(ns[l], sizeof(**lists));
		ASSERT(lists[l] != NULL);
		for (size_t i = 0; i < ns[l]; i++) {
			lists[l][i].off = rnd() % 4000;
			lists[l][i].len = (uint32_t)(1 + rnd() % 900);
			lists[l][i].rec = rnd() % 3 ? -1 : (int32_t)(rnd() % 40);
		}
		if (l % 2 == 0) {
			/* In the order the case stores them, without repeats (as from detection). */
			size_t m = 0;
			sort_sha = info.sha256;
			qsort(lists[l], ns[l], sizeof(**lists), sort_text);
			for (size_t i = 0; i < ns[l]; i++)
				if (m == 0 || sort_text(&lists[l][m - 1], &lists[l][i]) != 0)
					lists[l][m++] = lists[l][i];
			ns[l] = m;
		}
	}
	for (int k = 0; k < 3; k++) {
		struct c2c_case *c = NULL;
		json_t *claim;
		struct c2c_case_opts o = { NULL, "c2chain.test/batch", k == 0 ? 1u : 2u };
		json_t *report = json_object();
		ASSERT_NONNULL(report);
		(void)snprintf(dir[k], sizeof(dir[k]), "%s/batch%d", tmp, k);
		memset(&d, 0, sizeof(d));
		ASSERT_OK(c2c_case_open(dir[k], &o, &c, &d));
		ASSERT_OK(c2c_case_add_input(c, input, &info, &d));
		if (k == 0) {
			for (size_t l = 0; l < N_LISTS; l++) {
				uint8_t root[32];
				uint64_t cnt;
				ASSERT_OK(c2c_case_add_evrefs(c, lists[l], ns[l], root, &cnt, &d));
				memcpy(roots[l], root, 32);
			}
		} else {
			ASSERT_OK(c2c_case_add_evref_lists(c, (const struct c2c_evref *const *)lists,
			    ns, k >= 2 ? (const uint8_t(*)[32])roots : NULL, N_LISTS, &d));
		}
		if (k == 2)
			ASSERT_OK(c2c_case_precommit(c, &d));
		claim = late_claim(&info, lists);
		ASSERT_OK(c2c_case_append(c, "finding", claim, NULL, &d));
		json_decref(claim);
		ASSERT_OK(c2c_case_commit(c, report, &d));
		c2c_case_close(c);
		json_decref(report);
	}
	for (int r = 0; r < 3; r++) {
		const char *rel = r == 0 ? "evidence/refs" : r == 1 ? "evidence/records" : "ledger";
		char **names[3];
		size_t n[3];
		for (int k = 0; k < 3; k++) {
			(void)snprintf(sub[k], sizeof(sub[k]), "%s/%s", dir[k], rel);
			n[k] = list_dir(sub[k], &names[k]);
		}
		ASSERT_EQ(n[0], n[1]);
		ASSERT_EQ(n[0], n[2]);
		ASSERT(r != 0 || n[0] > 1);
		for (size_t i = 0; i < n[0]; i++) {
			char *f[3];
			size_t len[3];
			ASSERT(strcmp(names[0][i], names[1][i]) == 0);
			ASSERT(strcmp(names[0][i], names[2][i]) == 0);
			if (strcmp(names[0][i], "checkpoints") == 0 ||
			    strcmp(names[0][i], "consistency") == 0)
				continue; /* signed by each case's own key */
			for (int k = 0; k < 3; k++) {
				char rel2[512];
				(void)snprintf(rel2, sizeof(rel2), "%s/%s", rel, names[k][i]);
				f[k] = read_case_file(dir[k], rel2, &len[k]);
				ASSERT(f[k] != NULL);
			}
			ASSERT_EQ(len[0], len[1]);
			ASSERT_EQ(len[0], len[2]);
			ASSERT(memcmp(f[0], f[1], len[0]) == 0);
			ASSERT(memcmp(f[0], f[2], len[0]) == 0);
			for (int k = 0; k < 3; k++)
				free(f[k]);
		}
		for (int k = 0; k < 3; k++) {
			for (size_t i = 0; i < n[k]; i++)
				free(names[k][i]);
			free(names[k]);
		}
	}
	for (size_t l = 0; l < N_LISTS; l++)
		free(lists[l]);
	free(bytes);
}

TEST_MAIN(test_text_and_order, test_records_text, test_case_lists, test_batch)
