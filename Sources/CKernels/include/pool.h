// The engine's thread pool: one job at a time, cut into chunks that the caller and the pool's
// workers claim as they come free.
#pragma once

/// Runs chunk `chunk` of a job; `context` is the caller's.
typedef void (*fv_chunk_fn)(void *context, long chunk);

/// Runs fn(context, 0) … fn(context, chunks − 1) on the calling thread and up to `threads − 1`
/// workers (started at the first call; `threads` is read once). Returns when every chunk has run.
///
/// Chunks are claimed in order from one counter, so a worker that wakes late takes fewer of them
/// instead of making the caller wait; which thread runs a chunk never changes what the chunk
/// computes. Workers spin for a few tens of microseconds after a job before sleeping, because a
/// network's parallel kernels come in quick succession. A call from inside a chunk, or while
/// another thread's job is running, runs its chunks inline.
void fv_pool_run(long chunks, fv_chunk_fn fn, void *context, int threads);

/// Nanoseconds the pool's threads have spent spinning (a worker waiting for a job, a caller for
/// its job's last chunks) since the process started: CPU time that did no work.
long long fv_pool_spun_ns(void);
