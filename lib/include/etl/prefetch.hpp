#pragma once
// Asks for the cache line at p ahead of its use, where a loop would otherwise wait on a miss
// (hash probes, random reads of a record store).

namespace etl {

// Not __builtin_prefetch alone: GCC takes that builtin for a call without side effects, so a
// function that only prefetches (a lambda, a small const member) is judged pure and each call
// to it is deleted before it can be inlined. GCC 12 -O3 left not one prefetch in
// etl-correlate's matcher and output pass. A volatile asm is kept wherever it is written.
inline void prefetch(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace etl
