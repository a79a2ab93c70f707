/*
 * libmodbus reference client of `je08 bench modbus`.
 *
 * Usage: libmodbus_reads HOST PORT SECONDS
 *
 * Connects with libmodbus, reads holding registers 0-109 (function 3, one
 * request) once to warm up, then back to back on the same connection for
 * SECONDS, and prints one JSON line:
 *
 *   {"reads":N,"seconds":S,"cpu_seconds":C,"p50_ms":..,"p90_ms":..,"p99_ms":..,"max_ms":..}
 *
 * cpu_seconds is this process's user + system time over the timed window
 * (getrusage). Errors go to stderr with exit status 1.
 *
 * The je08 executable embeds this file and compiles it at run time with
 * `cc ... $(pkg-config --cflags --libs libmodbus)` (Debian: libmodbus-dev).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <modbus.h>

#define FIRST_REGISTER 0
#define REGISTER_COUNT 110

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The value at fraction p of the sorted latencies, in milliseconds. */
static double percentile_ms(const double *sorted, size_t n, double p) {
    if (n == 0) {
        return 0.0;
    }
    size_t i = (size_t)((double)(n - 1) * p + 0.5);
    return sorted[i < n ? i : n - 1] * 1000.0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST PORT SECONDS\n", argv[0]);
        return 1;
    }
    const char *host = argv[1];
    const char *port = argv[2];
    double window = atof(argv[3]);

    modbus_t *ctx = modbus_new_tcp_pi(host, port);
    if (ctx == NULL) {
        fprintf(stderr, "libmodbus: cannot create a context: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 2, 0);
    if (modbus_connect(ctx) == -1) {
        fprintf(stderr, "libmodbus: cannot connect to %s:%s: %s\n", host, port, modbus_strerror(errno));
        modbus_free(ctx);
        return 1;
    }

    uint16_t registers[REGISTER_COUNT];
    size_t capacity = 1 << 16, reads = 0;
    double *latencies = malloc(capacity * sizeof *latencies);
    if (latencies == NULL || modbus_read_registers(ctx, FIRST_REGISTER, REGISTER_COUNT, registers) != REGISTER_COUNT) {
        fprintf(stderr, "libmodbus: the first read failed: %s\n", modbus_strerror(errno));
        return 1;
    }

    double cpu_before = cpu_seconds();
    double started = now_seconds(), elapsed = 0.0;
    while (elapsed < window) {
        double t = now_seconds();
        if (modbus_read_registers(ctx, FIRST_REGISTER, REGISTER_COUNT, registers) != REGISTER_COUNT) {
            fprintf(stderr, "libmodbus: read %zu failed: %s\n", reads, modbus_strerror(errno));
            return 1;
        }
        double done = now_seconds();
        if (reads == capacity) {
            capacity *= 2;
            latencies = realloc(latencies, capacity * sizeof *latencies);
            if (latencies == NULL) {
                fprintf(stderr, "libmodbus: out of memory\n");
                return 1;
            }
        }
        latencies[reads++] = done - t;
        elapsed = done - started;
    }
    double cpu = cpu_seconds() - cpu_before;

    qsort(latencies, reads, sizeof *latencies, by_value);
    printf("{\"reads\":%zu,\"seconds\":%.6f,\"cpu_seconds\":%.6f,"
           "\"p50_ms\":%.6f,\"p90_ms\":%.6f,\"p99_ms\":%.6f,\"max_ms\":%.6f}\n",
           reads, elapsed, cpu, percentile_ms(latencies, reads, 0.5), percentile_ms(latencies, reads, 0.9),
           percentile_ms(latencies, reads, 0.99), percentile_ms(latencies, reads, 1.0));

    free(latencies);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
