/*
 * What the machine allows a conntrack lookup at 1M connections, with no Java and no table
 * logic: the memory floor the Isthmus figures are compared with (benchmarks/RESULTS.md,
 * section conntrack).
 *
 *   gcc -O2 -o /tmp/memory_floor benchmarks/conntrack/memory_floor.c && /tmp/memory_floor
 *   /tmp/memory_floor one-line     (only the one-line and the hit-shaped batch-64 patterns)
 *   /tmp/memory_floor window       (hit-shaped, window and one-line, three rounds interleaved)
 *
 * Three measurements, thread CPU time, on anonymous memory with and without 2 MiB pages
 * (madvise), 2 MiB aligned:
 *   dependent   one random 64-byte line after another (each address comes from the last load):
 *               the latency of one miss
 *   independent random lines whose addresses are known in advance: how many misses overlap
 *   hit-shaped  the access pattern of a batched conntrack hit in the table's layout: 64-byte
 *               buckets (capacity/4), 112-byte entries; per key read its bucket line, then the
 *               entry the bucket names (bytes 0..8, or 0..88 as a hit reads: two or three
 *               lines), in passes over a batch as ConntrackCursor.lookupBatch does
 *   one-line    the pattern of a layout where a hit needs ONE line found from the hash alone
 *               (each direction a self-contained 64-byte node: key, answer, seqlock): per key
 *               touch its line in one pass, then read key and answer words from it (session 4)
 *
 *   /tmp/memory_floor prefetch   (session 7: the window pattern WITH CPU work per key, as a
 *               lookup has: touches against __builtin_prefetch t0/t1/t2/nta in passes over a
 *               batch of 64, and a software pipeline in groups of 8 or 16; three rounds)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define HUGE_PAGE (2UL << 20)

static double thread_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static uint64_t state = 88172645463325252ULL;
static inline uint64_t next_random(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static char *map_aligned(size_t bytes, int huge) {
    char *raw = mmap(0, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    char *p = (char *) (((uintptr_t) raw + HUGE_PAGE - 1) & ~(uintptr_t) (HUGE_PAGE - 1));
    madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    memset(p, 1, bytes);
    return p;
}

static void lines(int huge) {
    const size_t bytes = 128UL << 20, count = bytes / 64, n = 2000000;
    char *p = map_aligned(bytes, huge);
    uint32_t *order = malloc(count * sizeof(uint32_t));
    for (size_t i = 0; i < count; i++) order[i] = i;
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = next_random() % (i + 1);
        uint32_t t = order[i]; order[i] = order[j]; order[j] = t;
    }
    for (size_t i = 0; i < count; i++) *(uint64_t *) (p + (size_t) order[i] * 64) = (uint64_t) order[(i + 1) % count] * 64;
    uint64_t at = 0, sink = 0;
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i++) at = *(uint64_t *) (p + at);
    const double dependent = (thread_ns() - t0) / n;
    uint64_t address[64];
    t0 = thread_ns();
    for (size_t i = 0; i < n; i += 64) {
        for (int k = 0; k < 64; k++) address[k] = (next_random() % count) * 64;
        for (int k = 0; k < 64; k++) sink += *(volatile uint64_t *) (p + address[k]);
    }
    const double independent = (thread_ns() - t0) / n;
    printf("128 MiB, %s pages: dependent %.1f ns per line, independent (64 at a time) %.1f ns per line (%lu)\n",
           huge ? "2 MiB" : "4 KiB", dependent, independent, (unsigned long) ((sink + at) & 1));
    munmap(p, bytes);
    free(order);
}

static void hit_shaped(int huge, int batch, int entry_bytes) {
    const size_t capacity = 1048576 + 65536, buckets = capacity / 4, n = 4000000;
    const size_t bytes = buckets * 64 + capacity * 112;
    char *p = map_aligned(bytes, huge);
    char *entries = p + buckets * 64;
    for (size_t b = 0; b < buckets; b++) *(uint32_t *) (p + b * 64) = (uint32_t) (next_random() % capacity);
    uint64_t bucket[256], sink = 0;
    char *entry[256];
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i += batch) {
        for (int k = 0; k < batch; k++) bucket[k] = next_random() % buckets;
        for (int k = 0; k < batch; k++) sink += *(volatile uint32_t *) (p + bucket[k] * 64 + 4);
        for (int k = 0; k < batch; k++) entry[k] = entries + (size_t) *(uint32_t *) (p + bucket[k] * 64) * 112;
        for (int k = 0; k < batch; k++) {
            sink += *(volatile uint64_t *) entry[k];
            if (entry_bytes > 8) sink += *(volatile uint64_t *) (entry[k] + 40) + *(volatile uint64_t *) (entry[k] + 80);
        }
        for (int k = 0; k < batch; k++) sink += *(uint64_t *) (entry[k] + 16);
    }
    printf("hit-shaped, 1M connections, %s pages, batch %d, entry bytes 0..%d: %.1f ns per key (%lu)\n",
           huge ? "2 MiB" : "4 KiB", batch, entry_bytes, (thread_ns() - t0) / n, (unsigned long) (sink & 1));
    munmap(p, bytes);
}

/*
 * window: the hit-shaped pattern with session 5's entry layout: the same 112-byte entries and
 * buckets, but everything a hit reads (control, decision, the low address words, ports) lies
 * in one aligned 64-byte window of the entry, at 16 x (index mod 4) bytes into it; per key
 * read its bucket line, then that ONE entry line.
 */
static void hit_shaped_window(int huge, int batch) {
    const size_t capacity = 1048576 + 65536, buckets = capacity / 4, n = 4000000;
    const size_t bytes = buckets * 64 + capacity * 112;
    char *p = map_aligned(bytes, huge);
    char *entries = p + buckets * 64;
    for (size_t b = 0; b < buckets; b++) *(uint32_t *) (p + b * 64) = (uint32_t) (next_random() % capacity);
    uint64_t bucket[256], sink = 0;
    char *entry[256];
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i += batch) {
        for (int k = 0; k < batch; k++) bucket[k] = next_random() % buckets;
        for (int k = 0; k < batch; k++) sink += *(volatile uint32_t *) (p + bucket[k] * 64 + 4);
        for (int k = 0; k < batch; k++) {
            const size_t e = *(uint32_t *) (p + bucket[k] * 64);
            entry[k] = entries + e * 112 + 16 * (e & 3);
        }
        for (int k = 0; k < batch; k++) sink += *(volatile uint64_t *) entry[k];
        for (int k = 0; k < batch; k++) sink += *(uint64_t *) (entry[k] + 16) ^ *(uint64_t *) (entry[k] + 24) ^ *(uint64_t *) (entry[k] + 48);
    }
    printf("window, 1M connections, %s pages, batch %d, one 64-byte line of each 112-byte entry: %.1f ns per key (%lu)\n",
           huge ? "2 MiB" : "4 KiB", batch, (thread_ns() - t0) / n, (unsigned long) (sink & 1));
    munmap(p, bytes);
}

static void one_line(int huge, int batch) {
    const size_t capacity = 1048576 + 65536, lines = 2 * capacity, n = 4000000;
    const size_t bytes = lines * 64;
    char *p = map_aligned(bytes, huge);
    uint64_t line[256], sink = 0;
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i += batch) {
        for (int k = 0; k < batch; k++) line[k] = (next_random() % lines) * 64;
        for (int k = 0; k < batch; k++) sink += *(volatile uint64_t *) (p + line[k]);
        for (int k = 0; k < batch; k++) {
            const char *node = p + line[k];
            sink += *(uint64_t *) (node + 8) ^ *(uint64_t *) (node + 16) ^ *(uint64_t *) (node + 24)
                ^ *(uint64_t *) (node + 32) ^ *(uint64_t *) (node + 40) ^ *(uint64_t *) (node + 48);
        }
    }
    printf("one-line, 1M connections (2 x 64-byte nodes each), %s pages, batch %d: %.1f ns per key (%lu)\n",
           huge ? "2 MiB" : "4 KiB", batch, (thread_ns() - t0) / n, (unsigned long) (sink & 1));
    munmap(p, bytes);
}

/*
 * Session 7: what a real (non-blocking) prefetch buys the window pattern when each key also
 * has CPU work, as a lookup has (hash, tag scan, compare: ~22 ns per key in Java). The work is
 * a dependent multiply chain per key, half before the bucket (the "hash") and half after the
 * entry (the "compare"); CPU-only cost measured on a small table that stays in cache.
 *   mode 0: touches (volatile loads, as Java does today) in passes
 *   mode 1..4: __builtin_prefetch locality 3 (t0), 2 (t1), 1 (t2), 0 (nta) in the same passes
 *   pipeline: groups of G keys in three stages: hash group g and prefetch its buckets; read
 *             the buckets of group g-1 and prefetch their entries; compare group g-2
 */
static uint64_t work_rounds = 6;

static inline uint64_t work(uint64_t x) {
    for (uint64_t r = 0; r < work_rounds; r++) {
        x = x * 0x9E3779B97F4A7C15ULL + r;
        x ^= x >> 29;
    }
    return x;
}

#define PREFETCH(addr, mode) do { \
    switch (mode) { \
    case 1: __builtin_prefetch((addr), 0, 3); break; \
    case 2: __builtin_prefetch((addr), 0, 2); break; \
    case 3: __builtin_prefetch((addr), 0, 1); break; \
    case 4: __builtin_prefetch((addr), 0, 0); break; \
    default: break; } } while (0)

static const char *mode_name[] = {"touch", "prefetcht0", "prefetcht1", "prefetcht2", "prefetchnta"};

static char *floor_table(size_t capacity, int huge, char **entries) {
    const size_t buckets = capacity / 4, bytes = buckets * 64 + capacity * 112;
    char *p = map_aligned(bytes, huge);
    *entries = p + buckets * 64;
    for (size_t b = 0; b < buckets; b++) *(uint32_t *) (p + b * 64) = (uint32_t) (next_random() % capacity);
    return p;
}

/* Passes over a batch of 64 (as lookupBatch): hash all, touch/prefetch buckets, entry of each, touch/prefetch entries, compare. */
static double window_work_passes(char *p, char *entries, size_t capacity, int mode, uint64_t *sinkp) {
    const size_t buckets = capacity / 4, n = 2000000;
    const int batch = 64;
    uint64_t bucket[64], key[64], sink = 0;
    char *entry[64];
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i += batch) {
        for (int k = 0; k < batch; k++) {
            key[k] = work(next_random());
            bucket[k] = key[k] % buckets;
        }
        if (mode == 0) {
            for (int k = 0; k < batch; k++) sink += *(volatile uint32_t *) (p + bucket[k] * 64 + 4);
        } else {
            for (int k = 0; k < batch; k++) PREFETCH(p + bucket[k] * 64, mode);
        }
        for (int k = 0; k < batch; k++) {
            const size_t e = *(uint32_t *) (p + bucket[k] * 64);
            entry[k] = entries + e * 112 + 16 * (e & 3);
        }
        if (mode == 0) {
            for (int k = 0; k < batch; k++) sink += *(volatile uint64_t *) entry[k];
        } else {
            for (int k = 0; k < batch; k++) PREFETCH(entry[k], mode);
        }
        for (int k = 0; k < batch; k++) {
            sink += work(key[k] ^ *(uint64_t *) (entry[k] + 16) ^ *(uint64_t *) (entry[k] + 24) ^ *(uint64_t *) (entry[k] + 48));
        }
    }
    *sinkp += sink;
    return (thread_ns() - t0) / n;
}

/* The same work in a three-stage software pipeline of groups of `group` keys inside each batch of 64. */
static double window_work_pipeline(char *p, char *entries, size_t capacity, int mode, int group, uint64_t *sinkp) {
    const size_t buckets = capacity / 4, n = 2000000;
    const int batch = 64, groups = batch / group;
    uint64_t bucket[64], key[64], sink = 0;
    char *entry[64];
    double t0 = thread_ns();
    for (size_t i = 0; i < n; i += batch) {
        for (int g = 0; g < groups + 2; g++) {
            if (g < groups) {
                for (int k = g * group; k < (g + 1) * group; k++) {
                    key[k] = work(next_random());
                    bucket[k] = key[k] % buckets;
                }
                for (int k = g * group; k < (g + 1) * group; k++) PREFETCH(p + bucket[k] * 64, mode);
            }
            if (g >= 1 && g <= groups) {
                for (int k = (g - 1) * group; k < g * group; k++) {
                    const size_t e = *(uint32_t *) (p + bucket[k] * 64);
                    entry[k] = entries + e * 112 + 16 * (e & 3);
                }
                for (int k = (g - 1) * group; k < g * group; k++) PREFETCH(entry[k], mode);
            }
            if (g >= 2) {
                for (int k = (g - 2) * group; k < (g - 1) * group; k++) {
                    sink += work(key[k] ^ *(uint64_t *) (entry[k] + 16) ^ *(uint64_t *) (entry[k] + 24) ^ *(uint64_t *) (entry[k] + 48));
                }
            }
        }
    }
    *sinkp += sink;
    return (thread_ns() - t0) / n;
}

static void prefetch_floor(int rounds) {
    const size_t big = 1048576 + 65536, small = 1024 + 4096;
    char *bigEntries, *smallEntries;
    char *bigTable = floor_table(big, 1, &bigEntries);
    char *smallTable = floor_table(small, 1, &smallEntries);
    uint64_t sink = 0;
    printf("window pattern with CPU work (%lu multiply rounds per half), batch 64, 2 MiB pages; ns per key\n",
           (unsigned long) work_rounds);
    for (int round = 0; round < rounds; round++) {
        printf("round %d: cpu only (1K, cached) %.1f\n", round, window_work_passes(smallTable, smallEntries, small, 0, &sink));
        for (int mode = 0; mode <= 4; mode++) {
            printf("  1M passes   %-12s %.1f\n", mode_name[mode], window_work_passes(bigTable, bigEntries, big, mode, &sink));
        }
        for (int mode = 1; mode <= 4; mode++) {
            for (int group = 8; group <= 16; group *= 2) {
                printf("  1M pipeline %-12s groups of %2d: %.1f\n", mode_name[mode], group,
                       window_work_pipeline(bigTable, bigEntries, big, mode, group, &sink));
            }
        }
        const uint64_t rounds_asked = work_rounds;
        work_rounds = 0;
        printf("  1M memory only: passes touch %.1f", window_work_passes(bigTable, bigEntries, big, 0, &sink));
        printf(", passes prefetcht1 %.1f\n", window_work_passes(bigTable, bigEntries, big, 2, &sink));
        work_rounds = rounds_asked;
    }
    printf("(%lu)\n", (unsigned long) (sink & 1));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "one-line") == 0) {
        one_line(1, 64);
        hit_shaped(1, 64, 88);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "prefetch") == 0) {
        if (argc > 2) work_rounds = strtoul(argv[2], 0, 10);
        prefetch_floor(3);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "window") == 0) {
        for (int round = 0; round < 3; round++) {
            hit_shaped(1, 64, 88);
            hit_shaped_window(1, 64);
            one_line(1, 64);
        }
        return 0;
    }
    lines(0);
    lines(1);
    for (int huge = 0; huge <= 1; huge++) {
        for (int batch = 16; batch <= 64; batch *= 2) hit_shaped(huge, batch, 88);
    }
    hit_shaped(1, 64, 8);
    one_line(1, 64);
    return 0;
}
