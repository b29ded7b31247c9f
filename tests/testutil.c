/*
 * Test support: the failing allocator behind C2C_TEST_FAIL_ALLOC, shared-data paths and
 * temporary directories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static long fail_at = 0;   /* fail the n-th allocation (1-based); 0 = never */
static long alloc_count = 0;
static int injected = 0;

static void *
t_malloc(size_t len)
{
	if (fail_at != 0 && ++alloc_count == fail_at) {
		injected = 1;
		fputs("torture: injected\n", stderr);
		return NULL;
	}
	return malloc(len);
}

static void *
t_realloc(void *p, size_t len)
{
	if (fail_at != 0 && ++alloc_count == fail_at) {
		injected = 1;
		fputs("torture: injected\n", stderr);
		return NULL;
	}
	return realloc(p, len);
}

static void
report_count(void)
{
	fprintf(stderr, "torture: allocations %ld\n", alloc_count);
}

void
test_init(void)
{
	const char *s = getenv("C2C_TEST_FAIL_ALLOC");
	const char *count = getenv("C2C_TEST_COUNT_ALLOC");
	static const struct c2c_allocator a = { t_malloc, t_realloc, free };
	if (s != NULL && *s)
		fail_at = strtol(s, NULL, 10);
	if (count != NULL && *count) {
		fail_at = -1; /* count every allocation, fail none */
		(void)atexit(report_count);
	}
	c2c_set_allocator(&a);
	setvbuf(stdout, NULL, _IONBF, 0);
}

int
test_alloc_injected(void)
{
	return injected;
}

void
test_oom_exit(void)
{
	/* The library reported the injected failure as C2C_ENOMEM: that is the expected outcome.
	 * _exit skips the leak checker, which would otherwise count objects still live on the
	 * abandoned test's stack. */
	fflush(NULL);
	_exit(0);
}

const char *
test_shared(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("C2C_SHARED");
	struct stat st;
	if (root == NULL || *root == '\0')
		root = "../shared/data";
	(void)snprintf(buf, len, "%s/%s", root, rel);
	if (stat(buf, &st) != 0) {
		printf("SKIP: %s not present\n", buf);
		return NULL;
	}
	return buf;
}

const char *
test_tmpdir(void)
{
	static char dir[256];
	if (dir[0] == '\0') {
		const char *t = getenv("TMPDIR");
		(void)snprintf(dir, sizeof(dir), "%s/c2c-test-XXXXXX", t && *t ? t : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

char *
test_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		(void)fclose(fp);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	(void)fclose(fp);
	if (buf != NULL) {
		buf[n] = '\0';
		if (len != NULL)
			*len = (size_t)n;
	}
	return buf;
}
