#ifndef EASEL_CCPUFEATURES_H
#define EASEL_CCPUFEATURES_H
/* What the kernels were compiled for, and whether the running CPU has it. Plain C so that the check
   itself runs on any x86-64 before a single AVX instruction executes. */

/** The LLVM target CPU the Swift kernels were built for ("skylake-avx512", "haswell", "generic"). */
const char *easel_built_target_cpu(void);

/** A space-separated list of the instruction-set features the build needs that this CPU lacks;
    an empty string when it has them all. */
const char *easel_missing_cpu_features(void);

/** The features this CPU has among those Easel cares about, space separated. */
const char *easel_cpu_feature_summary(void);

/** Asks for the cache line at `address` ahead of a write (prefetchw where the CPU has it): the
    SGEMM driver's hint for a C tile that the micro-kernel reads and writes only after its K loop. */
static inline void easel_prefetch_for_write(const void *address) { __builtin_prefetch(address, 1, 3); }
#endif
