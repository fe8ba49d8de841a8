#pragma once

namespace c10k {

// Registers the codec benchmarks for every protocol the Protocol enum lists;
// called by main before the benchmarks run.
void RegisterCodecBenchmarks();

}  // namespace c10k
