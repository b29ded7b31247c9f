/*
 * Minimal unit-test harness (libuv's ASSERT_* style): each failing assertion prints both sides
 * with file and line and exits 1. TEST_MAIN(a, b, c) runs the listed static void functions.
 *
 * Torture: a test whose source contains the word C2C_TORTURE is also run by torture.cmake with
 * C2C_TEST_FAIL_ALLOC=n. When the n-th allocation has been failed, ASSERT_OK on C2C_ENOMEM ends
 * the test with success (the library returned the right error); any other mismatch still fails.
 */
#ifndef C2C_TEST_H
#define C2C_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/c2chain.h"

void test_init(void);
int test_alloc_injected(void);
void test_oom_exit(void) __attribute__((noreturn));
/* Path under $C2C_SHARED (../shared/data), or NULL when it is absent (then print a skip line). */
const char *test_shared(const char *rel, char *buf, size_t len);
/* A fresh temporary directory for this test (removed by the OS's tmp cleaning). */
const char *test_tmpdir(void);
/* Read a whole file (test-side, plain malloc); NULL on failure. */
char *test_read_file(const char *path, size_t *len);

#define TEST_FAIL_(...)                                                                          \
	do {                                                                                     \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                  \
		fprintf(stderr, __VA_ARGS__);                                                    \
		fputc('\n', stderr);                                                             \
		exit(1);                                                                         \
	} while (0)

#define ASSERT(x)                                                                                \
	do {                                                                                     \
		if (!(x))                                                                        \
			TEST_FAIL_("assertion failed: %s", #x);                                  \
	} while (0)

#define ASSERT_ERR(x, want)                                                                      \
	do {                                                                                     \
		c2c_err rc_ = (x);                                                               \
		if (rc_ == C2C_ENOMEM && (want) != C2C_ENOMEM && test_alloc_injected())           \
			test_oom_exit();                                                         \
		if (rc_ != (want))                                                               \
			TEST_FAIL_("%s returned %s, want %s", #x, c2c_errname(rc_),              \
			    c2c_errname(want));                                                  \
	} while (0)

#define ASSERT_OK(x) ASSERT_ERR(x, C2C_OK)

/* For constructors that return NULL on OOM. */
#define ASSERT_NONNULL(x)                                                                        \
	do {                                                                                     \
		if ((x) == NULL) {                                                               \
			if (test_alloc_injected())                                               \
				test_oom_exit();                                                 \
			TEST_FAIL_("%s is NULL", #x);                                            \
		}                                                                                \
	} while (0)

#define ASSERT_EQ(a, b)                                                                          \
	do {                                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);                              \
		if (a_ != b_)                                                                    \
			TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                     \
	} while (0)

#define ASSERT_U64_EQ(a, b)                                                                      \
	do {                                                                                     \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);   \
		if (a_ != b_)                                                                    \
			TEST_FAIL_("%s == %s: %llu != %llu", #a, #b, a_, b_);                     \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                                      \
	do {                                                                                     \
		const char *a_ = (a), *b_ = (b);                                                 \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                             \
			TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",     \
			    b_ ? b_ : "(null)");                                                 \
	} while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                                   \
	do {                                                                                     \
		if (memcmp((a), (b), (n)) != 0)                                                  \
			TEST_FAIL_("%s and %s differ in the first %zu bytes", #a, #b,            \
			    (size_t)(n));                                                        \
	} while (0)

#define TEST_RUN_ONE_(f)                                                                         \
	do {                                                                                     \
		f();                                                                             \
		ran_++;                                                                          \
	} while (0);

#define TEST_MAP1_(m, ...) TEST_FOREACH_(m, __VA_ARGS__)
/* Expand up to 40 test names. */
#define TEST_FOREACH_(m, ...)                                                                    \
	TEST_GET_(__VA_ARGS__, F40_, F39_, F38_, F37_, F36_, F35_, F34_, F33_, F32_, F31_,       \
	    F30_, F29_, F28_, F27_, F26_, F25_, F24_, F23_, F22_, F21_, F20_, F19_, F18_, F17_,  \
	    F16_, F15_, F14_, F13_, F12_, F11_, F10_, F9_, F8_, F7_, F6_, F5_, F4_, F3_, F2_,    \
	    F1_)(m, __VA_ARGS__)
#define TEST_GET_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17,  \
    _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35,   \
    _36, _37, _38, _39, _40, N, ...)                                                             \
	N
#define F1_(m, a) m(a)
#define F2_(m, a, ...) m(a) F1_(m, __VA_ARGS__)
#define F3_(m, a, ...) m(a) F2_(m, __VA_ARGS__)
#define F4_(m, a, ...) m(a) F3_(m, __VA_ARGS__)
#define F5_(m, a, ...) m(a) F4_(m, __VA_ARGS__)
#define F6_(m, a, ...) m(a) F5_(m, __VA_ARGS__)
#define F7_(m, a, ...) m(a) F6_(m, __VA_ARGS__)
#define F8_(m, a, ...) m(a) F7_(m, __VA_ARGS__)
#define F9_(m, a, ...) m(a) F8_(m, __VA_ARGS__)
#define F10_(m, a, ...) m(a) F9_(m, __VA_ARGS__)
#define F11_(m, a, ...) m(a) F10_(m, __VA_ARGS__)
#define F12_(m, a, ...) m(a) F11_(m, __VA_ARGS__)
#define F13_(m, a, ...) m(a) F12_(m, __VA_ARGS__)
#define F14_(m, a, ...) m(a) F13_(m, __VA_ARGS__)
#define F15_(m, a, ...) m(a) F14_(m, __VA_ARGS__)
#define F16_(m, a, ...) m(a) F15_(m, __VA_ARGS__)
#define F17_(m, a, ...) m(a) F16_(m, __VA_ARGS__)
#define F18_(m, a, ...) m(a) F17_(m, __VA_ARGS__)
#define F19_(m, a, ...) m(a) F18_(m, __VA_ARGS__)
#define F20_(m, a, ...) m(a) F19_(m, __VA_ARGS__)
#define F21_(m, a, ...) m(a) F20_(m, __VA_ARGS__)
#define F22_(m, a, ...) m(a) F21_(m, __VA_ARGS__)
#define F23_(m, a, ...) m(a) F22_(m, __VA_ARGS__)
#define F24_(m, a, ...) m(a) F23_(m, __VA_ARGS__)
#define F25_(m, a, ...) m(a) F24_(m, __VA_ARGS__)
#define F26_(m, a, ...) m(a) F25_(m, __VA_ARGS__)
#define F27_(m, a, ...) m(a) F26_(m, __VA_ARGS__)
#define F28_(m, a, ...) m(a) F27_(m, __VA_ARGS__)
#define F29_(m, a, ...) m(a) F28_(m, __VA_ARGS__)
#define F30_(m, a, ...) m(a) F29_(m, __VA_ARGS__)
#define F31_(m, a, ...) m(a) F30_(m, __VA_ARGS__)
#define F32_(m, a, ...) m(a) F31_(m, __VA_ARGS__)
#define F33_(m, a, ...) m(a) F32_(m, __VA_ARGS__)
#define F34_(m, a, ...) m(a) F33_(m, __VA_ARGS__)
#define F35_(m, a, ...) m(a) F34_(m, __VA_ARGS__)
#define F36_(m, a, ...) m(a) F35_(m, __VA_ARGS__)
#define F37_(m, a, ...) m(a) F36_(m, __VA_ARGS__)
#define F38_(m, a, ...) m(a) F37_(m, __VA_ARGS__)
#define F39_(m, a, ...) m(a) F38_(m, __VA_ARGS__)
#define F40_(m, a, ...) m(a) F39_(m, __VA_ARGS__)

#define TEST_MAIN(...)                                                                           \
	int main(void)                                                                           \
	{                                                                                        \
		int ran_ = 0;                                                                    \
		test_init();                                                                     \
		TEST_FOREACH_(TEST_RUN_ONE_, __VA_ARGS__)                                        \
		printf("%s: %d tests passed\n", __FILE__, ran_);                                 \
		return 0;                                                                        \
	}

#endif
