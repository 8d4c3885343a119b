/*
 * tick-agent: the fake agent of EngineFigures' stream scenario. Writes one line at once and then
 * one every 100 ms, each holding the wall-clock time it was written (microseconds since the epoch),
 * and exits when its stdin reaches end of file. No fork, no allocation: a thousand of them cost a
 * few percent of one core, so the figures measure the runner, not the agents.
 * Built by bench/engine-figures.sh: cc -O2 -o runner/target/tick-agent bench/tick-agent.c
 */
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  struct pollfd in = {.fd = 0, .events = POLLIN};
  char line[32];
  for (;;) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int n = snprintf(line, sizeof line, "%lld\n", (long long) now.tv_sec * 1000000LL + now.tv_nsec / 1000);
    if (write(1, line, (size_t) n) != n) return 1;
    int r = poll(&in, 1, 100);
    if (r > 0) {
      char buf[256];
      if (read(0, buf, sizeof buf) <= 0) return 0; /* end of input: the runner let go */
    }
  }
}
