/* Minimal check macros for the parameter/normalization tests (count failures, keep going). */
#ifndef QS_PARAMS_CHECK_H
#define QS_PARAMS_CHECK_H
#include <stdio.h>

extern int pc_failures;
#define CHECK(c)                                                        \
  do {                                                                  \
    if (!(c)) {                                                         \
      printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);     \
      pc_failures++;                                                    \
    }                                                                   \
  } while (0)
#define CHECK_EQ(a, b)                                                                          \
  do {                                                                                          \
    long long a_ = (long long)(a), b_ = (long long)(b);                                         \
    if (a_ != b_) {                                                                             \
      printf("%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_);             \
      pc_failures++;                                                                            \
    }                                                                                           \
  } while (0)
#endif
