/*
 * bench-agent: the fake agent every subject of the benchmark runs, so that all of them drive the
 * same child. One mode per workload:
 *
 *   bench-agent gen BYTES     write 200-byte JSON lines (newline included) until BYTES are out, exit 0
 *   bench-agent tick MS       write one JSON line at once, then one every MS milliseconds, forever
 *   bench-agent idle          do nothing until killed
 *   bench-agent stubborn      ignore SIGTERM, write "ready\n", then do nothing until SIGKILL
 *
 * No fork, no allocation in the loops: the agent must never be what a benchmark measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE 200

static int write_all(const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(STDOUT_FILENO, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t) n;
  }
  return 0;
}

/* One JSON object of exactly LINE bytes, newline included, carrying seq. */
static void json_line(char *out, unsigned long long seq) {
  int head = snprintf(out, LINE, "{\"type\":\"assistant\",\"seq\":%llu,\"text\":\"", seq);
  memset(out + head, 'x', LINE - head - 3);
  memcpy(out + LINE - 3, "\"}\n", 3);
}

/*
 * Writes 1 MiB at a time (5,243 lines), so the writer is never what the reader waits for. Each slot
 * of the buffer is rendered in full once; later lines with as many digits in seq only overwrite the
 * digits, since the rest of the line is the same (the padding absorbs the digit count).
 */
static int gen(long long bytes) {
  enum { PER_BUF = 5243, SEQ_AT = 26 }; /* SEQ_AT: strlen("{\"type\":\"assistant\",\"seq\":") */
  static char buf[PER_BUF * LINE];
  static int digits_of[PER_BUF];
  unsigned long long seq = 0;
  long long lines = bytes / LINE;
  while (lines > 0) {
    int k = lines < PER_BUF ? (int) lines : PER_BUF;
    for (int i = 0; i < k; i++, seq++) {
      char digits[24];
      int d = 0;
      unsigned long long v = seq;
      do {
        digits[d++] = (char) ('0' + v % 10);
        v /= 10;
      } while (v > 0);
      char *line = buf + (size_t) i * LINE;
      if (digits_of[i] != d) {
        json_line(line, seq);
        digits_of[i] = d;
      } else {
        for (int j = 0; j < d; j++) line[SEQ_AT + j] = digits[d - 1 - j];
      }
    }
    if (write_all(buf, (size_t) k * LINE) != 0) return 1;
    lines -= k;
  }
  return 0;
}

static int tick(long ms) {
  char line[LINE];
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (unsigned long long seq = 0;; seq++) {
    json_line(line, seq);
    if (write_all(line, LINE) != 0) return 1;
    next.tv_nsec += ms * 1000000L;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
  }
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "gen") == 0) return gen(atoll(argv[2]));
  if (argc >= 3 && strcmp(argv[1], "tick") == 0) return tick(atol(argv[2]));
  if (argc >= 2 && strcmp(argv[1], "idle") == 0) {
    for (;;) pause();
  }
  if (argc >= 2 && strcmp(argv[1], "stubborn") == 0) {
    signal(SIGTERM, SIG_IGN);
    if (write_all("ready\n", 6) != 0) return 1;
    for (;;) pause();
  }
  fprintf(stderr, "usage: bench-agent gen BYTES | tick MS | idle | stubborn\n");
  return 2;
}
