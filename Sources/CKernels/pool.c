// The engine's thread pool (pool.h). One job at a time; its chunks are claimed from one atomic
// word that also names the job, so a worker can never run a chunk of a job that has ended.
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

// The job word: generation (24 bits) | chunks (20 bits) | next chunk to claim (20 bits).
#define COUNT_BITS 20
#define COUNT_MASK ((1ull << COUNT_BITS) - 1)
#define GEN_MASK ((1ull << 24) - 1)

static _Atomic uint64_t job_word;
static _Atomic uint32_t published;  // generation of the newest job; workers wait for it to change
static _Atomic long finished;       // chunks of the current job that have run
static fv_chunk_fn job_fn;          // written only while no chunk of any job can be claimed
static void *job_context;
// How long a worker spins for the next job before it sleeps. A render's parallel kernels come
// every few tens of microseconds at 128 px: spinning 50 µs made its steps a third faster there
// (2 cores, AMD EPYC), and changes nothing at 224 px, where the kernels are longer.
// No spinning when the process may use fewer CPUs than it has threads (taskset, a cpuset): a
// spinning worker would then take the CPU from the thread it waits for.
static long long spin_ns = 50000;  // set once, before the workers start
static _Atomic long long spun_ns;   // CPU time spent spinning for work (pool.h: fv_pool_spun_ns)

static pthread_mutex_t submit = PTHREAD_MUTEX_INITIALIZER;  // one caller's job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int sleepers;  // guarded by sleep_lock
static _Thread_local int inside;  // a worker, or a caller running chunks: nested jobs run inline

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/// Claims and runs chunks of job `gen` until none are left.
static void run_chunks(uint64_t gen) {
    for (;;) {
        uint64_t word = atomic_load_explicit(&job_word, memory_order_acquire);
        uint64_t next = word & COUNT_MASK, total = (word >> COUNT_BITS) & COUNT_MASK;
        if ((word >> (2 * COUNT_BITS)) != gen || next >= total) return;
        if (!atomic_compare_exchange_weak_explicit(&job_word, &word, word + 1, memory_order_acq_rel,
                                                   memory_order_relaxed))
            continue;
        // The claim holds the job open (it cannot finish without this chunk), so its fields are stable.
        job_fn(job_context, (long)next);
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
    }
}

static void *worker(void *unused) {
    (void)unused;
    inside = 1;
    uint32_t seen = 0;
    for (;;) {
        uint32_t gen = atomic_load_explicit(&published, memory_order_acquire);
        if (gen == seen) {
            long long start = now_ns(), deadline = start + spin_ns;
            for (int i = 1; (gen = atomic_load_explicit(&published, memory_order_acquire)) == seen; i++) {
                cpu_relax();
                if ((i & 255) == 0 && now_ns() > deadline) break;
            }
            atomic_fetch_add_explicit(&spun_ns, now_ns() - start, memory_order_relaxed);
        }
        if (gen == seen) {
            pthread_mutex_lock(&sleep_lock);
            sleepers++;
            while ((gen = atomic_load_explicit(&published, memory_order_acquire)) == seen)
                pthread_cond_wait(&wake, &sleep_lock);
            sleepers--;
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = gen;
        run_chunks(gen);
    }
    return NULL;
}

static int worker_count = -1;  // set under `submit` at the first parallel job

static void start_workers(int threads) {
    worker_count = 0;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) < threads) spin_ns = 0;
    for (int i = 1; i < threads; i++) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, worker, NULL) == 0) worker_count++;
        pthread_attr_destroy(&attr);
    }
}

static void run_inline(long chunks, fv_chunk_fn fn, void *context) {
    for (long i = 0; i < chunks; i++) fn(context, i);
}

void fv_pool_run(long chunks, fv_chunk_fn fn, void *context, int threads) {
    if (chunks <= 0) return;
    if (chunks == 1 || threads <= 1 || inside || chunks > (long)COUNT_MASK || pthread_mutex_trylock(&submit) != 0) {
        run_inline(chunks, fn, context);
        return;
    }
    if (worker_count < 0) start_workers(threads);
    if (worker_count == 0) {  // no thread could be started
        pthread_mutex_unlock(&submit);
        run_inline(chunks, fn, context);
        return;
    }
    static uint64_t generation;
    generation = (generation + 1) & GEN_MASK;
    if (generation == 0) generation = 1;  // 0 is what a new worker has "seen"
    job_fn = fn;
    job_context = context;
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    atomic_store_explicit(&job_word, (generation << (2 * COUNT_BITS)) | ((uint64_t)chunks << COUNT_BITS),
                          memory_order_release);
    atomic_store_explicit(&published, (uint32_t)generation, memory_order_seq_cst);
    pthread_mutex_lock(&sleep_lock);
    if (sleepers > 0) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);

    inside = 1;
    run_chunks(generation);
    inside = 0;
    // The last chunks may still be running on workers.
    if (atomic_load_explicit(&finished, memory_order_acquire) < chunks) {
        long long start = now_ns();
        for (int i = 1; atomic_load_explicit(&finished, memory_order_acquire) < chunks; i++) {
            cpu_relax();
            if (spin_ns == 0 || (i & 1023) == 0) sched_yield();
        }
        atomic_fetch_add_explicit(&spun_ns, now_ns() - start, memory_order_relaxed);
    }
    pthread_mutex_unlock(&submit);
}

long long fv_pool_spun_ns(void) { return atomic_load_explicit(&spun_ns, memory_order_relaxed); }
