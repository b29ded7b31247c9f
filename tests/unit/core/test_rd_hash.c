/*
 * The input fingerprint of c2c_rd (C2C_RD_HASH) on files large enough to be hashed by the
 * reader's own thread: the digest equals SHA-256 of the file whether the caller reads all of
 * it, part of it, nothing, or closes the reader without finishing; small files (hashed inline)
 * agree too. C2C_TORTURE: rerun with every allocation failing in turn (a reader that cannot get
 * its thread hashes inline and must give the same digest).
 */
#include <stdio.h>

#include "c2chain/core.h"
#include "test.h"

static uint8_t *
make_file(const char *path, size_t len)
{
	uint8_t *b = malloc(len);
	uint64_t x = 0x243f6a8885a308d3u;
	FILE *fp;
	ASSERT(b != NULL);
	for (size_t i = 0; i < len; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		b[i] = (uint8_t)(x >> 56);
	}
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT_EQ(fwrite(b, 1, len, fp), len);
	ASSERT(fclose(fp) == 0);
	return b;
}

/* Read `upto` bytes in uneven steps, then finish: the digest covers the whole file. */
static void
read_and_finish(const char *path, size_t len, size_t upto, const uint8_t want[32])
{
	struct c2c_rd rd;
	uint8_t got[32];
	uint64_t size = 0;
	size_t step = 1;
	ASSERT_OK(c2c_rd_open(&rd, path, C2C_RD_HASH, NULL));
	while (c2c_rd_pos(&rd) < upto) {
		const uint8_t *p;
		size_t avail = 0, n = step;
		if (n > upto - c2c_rd_pos(&rd))
			n = upto - c2c_rd_pos(&rd);
		ASSERT_OK(c2c_rd_peek(&rd, n, &p, &avail));
		c2c_rd_advance(&rd, n);
		step = step * 3 % 1000003 + 1;
	}
	ASSERT_OK(c2c_rd_finish(&rd, got, &size, NULL));
	ASSERT_EQ(size, (uint64_t)len);
	ASSERT(memcmp(got, want, 32) == 0);
	c2c_rd_close(&rd);
}

static void
digests(const size_t *sizes, size_t n_sizes)
{
	char path[4096];
	for (size_t i = 0; i < n_sizes; i++) {
		size_t len = sizes[i];
		uint8_t want[32];
		uint8_t *b;
		(void)snprintf(path, sizeof(path), "%s/in%zu.bin", test_tmpdir(), i);
		b = make_file(path, len);
		c2c_sha256(b, len, want);
		read_and_finish(path, len, len, want);
		read_and_finish(path, len, len / 3, want);
		read_and_finish(path, len, 0, want);
		{
			/* Closed mid-way without a digest: the thread stops, nothing leaks. */
			struct c2c_rd rd;
			const uint8_t *p;
			ASSERT_OK(c2c_rd_open(&rd, path, C2C_RD_HASH, NULL));
			ASSERT_OK(c2c_rd_peek(&rd, 100, &p, NULL));
			c2c_rd_advance(&rd, 100);
			c2c_rd_close(&rd);
		}
		free(b);
	}
}

/* Small files: hashed inline as the reader advances. */
static void
test_inline(void)
{
	static const size_t sizes[] = { 1000, (size_t)5 << 20 };
	digests(sizes, C2C_ARRAY_LEN(sizes));
}

/* A file over the threshold: hashed by the reader's thread. */
static void
test_thread(void)
{
	static const size_t sizes[] = { (size_t)40 << 20 };
	digests(sizes, C2C_ARRAY_LEN(sizes));
}

TEST_MAIN(test_inline, test_thread)
