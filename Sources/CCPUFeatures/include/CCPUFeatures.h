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
#endif
