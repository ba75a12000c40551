/* noise.c - bench/noise: how steady this machine's CPU is, so that a
 * benchmark's tail latencies can be read against it.
 *
 * A shared virtual machine loses its core for a while now and then (the
 * host runs other guests); a server on that core then answers late, and
 * so does every request queued behind.  This program does the same fixed
 * work (memory writes over 2 MiB, like a request touching its caches) in
 * back-to-back 10 ms windows for SECONDS seconds, and prints how much work
 * each window got done against the median window: on a quiet machine every
 * window is within a few percent; here some get 10 % of it.
 *
 *   cc -O2 -o noise bench/noise.c && taskset -c 0 ./noise 5
 *
 * Output (one line): windows, the share of windows under 70 % of the
 * median, the slowest window and the time lost (per second: the windows'
 * shortfall against the median, in ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	if (seconds < 1 || seconds > 600) {
		fprintf(stderr, "usage: noise [SECONDS (1-600)]\n");
		return 2;
	}
	size_t size = (size_t)2 << 20;
	unsigned char *m = malloc(size);
	if (!m)
		return 1;
	memset(m, 1, size);
	int nw = seconds * 100;
	long *work = calloc((size_t)nw, sizeof *work), *sorted = calloc((size_t)nw, sizeof *sorted);
	if (!work || !sorted)
		return 1;
	for (int w = 0; w < nw; w++) {
		double t0 = now_ms();
		long it = 0;
		while (now_ms() - t0 < 10) {
			memset(m + (size_t)(it % 32) * 65536, (int)it, 65536);
			it++;
		}
		work[w] = it;
	}
	memcpy(sorted, work, (size_t)nw * sizeof *work);
	qsort(sorted, (size_t)nw, sizeof *sorted, cmp);
	long med = sorted[nw / 2];
	int slow = 0;
	double lost = 0;
	for (int w = 0; w < nw; w++) {
		if (work[w] * 10 < med * 7)
			slow++;
		if (work[w] < med)
			lost += 10.0 * (double)(med - work[w]) / (double)med;
	}
	printf("%d windows of 10 ms: %.1f %% under 70 %% of the median, slowest %.0f %%, %.0f ms lost per second\n", nw,
	       100.0 * slow / nw, 100.0 * (double)sorted[0] / (double)med, lost / seconds);
	free(m);
	free(work);
	free(sorted);
	return 0;
}
