/* How fast this machine's memory answers right now, to put beside a timing of
 * `numberly run` (see scripts/bench-noise.sh): the time to fault in 1 GiB of fresh
 * 4 KiB pages, then the mean time of 40 million reads of 64-byte lines at
 * pseudo-random places in 512 MiB (independent reads, so they overlap: this is
 * the memory's throughput for scattered reads more than its latency).
 *
 *   gcc -O2 -o /tmp/mem-probe scripts/mem-probe.c && /tmp/mem-probe
 */
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    size_t n = 512ul << 20;
    double t0 = now();
    char *a = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED || b == MAP_FAILED) return 1;
    for (size_t i = 0; i < n; i += 4096) {
        a[i] = 1;
        b[i] = 1;
    }
    double t1 = now();
    size_t sum = 0;
    for (int k = 0; k < 20; k++) {
        size_t i = (k * 7919ul * 64) % n;
        for (size_t j = 0; j < 2000000; j++) {
            i = (i * 6364136223846793005ul + 1442695040888963407ul) % n;
            sum += a[i & ~63ul];
        }
    }
    double t2 = now();
    printf("fault_1GiB_s %.3f scattered_read_ns %.1f (%zu)\n", t1 - t0, (t2 - t1) / 40e6 * 1e9, sum);
    return 0;
}
