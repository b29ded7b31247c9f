/*
 * The allocation hook: every allocation in lib/ goes through c2c_malloc and friends so that the
 * torture tests can fail the n-th one and prove each path returns C2C_ENOMEM cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "c2chain/core.h"
#include "core/internal.h"

static struct c2c_allocator g_alloc = { malloc, realloc, free };
/* Failed allocations on this thread: lets wrappers around code that hides OOM (jansson's parser
 * reports it as a syntax error) tell the two apart. */
static _Thread_local uint64_t t_failures;

uint64_t
c2c__alloc_failures(void)
{
	return t_failures;
}

void
c2c_set_allocator(const struct c2c_allocator *a)
{
	if (a == NULL) {
		g_alloc.malloc = malloc;
		g_alloc.realloc = realloc;
		g_alloc.free = free;
		json_set_alloc_funcs(malloc, free);
	} else {
		g_alloc = *a;
		/* jansson allocates inside the library too: route it through the same hook. */
		json_set_alloc_funcs(c2c_malloc, c2c_free);
	}
}

void *
c2c_malloc(size_t len)
{
	void *p = g_alloc.malloc(len ? len : 1);
	if (p == NULL)
		t_failures++;
	return p;
}

void *
c2c_calloc(size_t n, size_t size)
{
	void *p;
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = c2c_malloc(n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
c2c_realloc(void *p, size_t len)
{
	void *q = g_alloc.realloc(p, len ? len : 1);
	if (q == NULL)
		t_failures++;
	return q;
}

void *
c2c_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return c2c_realloc(p, n * size);
}

void
c2c_free(void *p)
{
	if (p != NULL)
		g_alloc.free(p);
}

char *
c2c_strndup(const char *s, size_t len)
{
	char *d = c2c_malloc(len + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
c2c_strdup(const char *s)
{
	return c2c_strndup(s, strlen(s));
}
