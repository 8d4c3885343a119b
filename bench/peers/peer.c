/*
 * The operating system's limit: every benchmark workload done with posix_spawn (new session, three
 * pipes, like the runner) and one poll(2) loop over the pipes and a pidfd per child. Single thread.
 *
 *   peer-c SCENARIO key=value...      prints one JSON object: {"metrics":{...}} or {"skipped":"..."}
 *
 * Scenarios and keys are those of bench/peers/peer.py and peer.js (see bench/README.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- arguments ---- */

static int g_argc;
static char **g_argv;

static const char *arg(const char *key, const char *dflt) {
  size_t k = strlen(key);
  for (int i = 2; i < g_argc; i++) {
    if (strncmp(g_argv[i], key, k) == 0 && g_argv[i][k] == '=') return g_argv[i] + k + 1;
  }
  if (dflt == NULL) {
    fprintf(stderr, "peer-c: missing argument %s=...\n", key);
    exit(2);
  }
  return dflt;
}

static long long arg_ll(const char *key, const char *dflt) { return atoll(arg(key, dflt)); }

static void die(const char *what) {
  fprintf(stderr, "peer-c: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* ---- clocks and /proc ---- */

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double cpu_ms(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static long status_field(const char *name) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen(name);
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, name, n) == 0 && line[n] == ':') {
      v = atol(line + n + 1);
      break;
    }
  }
  if (f) fclose(f);
  return v;
}

static long count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.') n++;
  }
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

static long count_children(void) {
  DIR *d = opendir("/proc");
  long n = 0;
  pid_t self = getpid();
  struct dirent *e;
  char path[300], buf[512];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    char *close = strrchr(buf, ')');
    int ppid;
    char state;
    if (close && sscanf(close + 2, "%c %d", &state, &ppid) == 2 && ppid == self) n++;
  }
  closedir(d);
  return n;
}

/* ---- children ---- */

typedef struct {
  pid_t pid;
  int pidfd, in, out, err;
  int reaped;
  double spawned_us, first_line_us;
  long long lines, bytes;
} child_t;

typedef void (*on_data_fn)(child_t *c, const char *buf, ssize_t n);

static int live_count;

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* F_SETPIPE_SZ of 1 MiB, or the most /proc/sys/fs/pipe-max-size allows; quiet if refused. */
static void enlarge_pipe(int fd) {
  static long max;
  if (max == 0) {
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
    if (f == NULL || fscanf(f, "%ld", &max) != 1) max = 1 << 20;
    if (f) fclose(f);
    if (max > (1 << 20)) max = 1 << 20;
  }
  fcntl(fd, F_SETPIPE_SZ, (int) max);
}

/* Starts argv in a new session with stdin, stdout and stderr on pipes. */
static void spawn_child(child_t *c, char *const argv[]) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) die("pipe2");
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawnattr_init(&at);
  sigset_t def;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  posix_spawnattr_setsigdefault(&at, &def);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF);
  memset(c, 0, sizeof *c);
  int rc = posix_spawn(&c->pid, argv[0], &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (rc != 0) {
    errno = rc;
    die("posix_spawn");
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  c->in = in[1];
  c->out = out[0];
  c->err = err[0];
  set_nonblock(c->out);
  set_nonblock(c->err);
  enlarge_pipe(c->out);
  c->pidfd = (int) syscall(SYS_pidfd_open, c->pid, 0);
  if (c->pidfd < 0) die("pidfd_open");
  live_count++;
}

static int done(const child_t *c) { return c->reaped && c->out < 0 && c->err < 0; }

static void finish_if_done(child_t *c) {
  if (done(c) && c->in >= 0) {
    close(c->in);
    c->in = -1;
    live_count--;
  }
}

/* Reads of up to 1 MiB, from a pipe enlarged to match (as the runner does): fewer, larger reads. */
static void read_stream(child_t *c, int *fd, on_data_fn cb) {
  static char buf[1 << 20];
  for (;;) {
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
      if (cb && fd == &c->out) cb(c, buf, n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close(*fd); /* end of file, or the pipe broke */
    *fd = -1;
    return;
  }
}

/*
 * One poll(2) over every open pipe and pidfd of cs[0..n): hands stdout bytes to cb, drains stderr,
 * reaps exits. Returns after at most timeout_ms (-1: until something happens).
 */
static void poll_round(child_t *cs, int n, int timeout_ms, on_data_fn cb) {
  static struct pollfd *pfd;
  static int *who, cap;
  if (cap < 3 * n) {
    cap = 3 * n;
    pfd = realloc(pfd, sizeof *pfd * cap);
    who = realloc(who, sizeof *who * cap);
  }
  int k = 0;
  for (int i = 0; i < n; i++) {
    child_t *c = &cs[i];
    if (c->out >= 0) { pfd[k] = (struct pollfd){c->out, POLLIN, 0}; who[k++] = i; }
    if (c->err >= 0) { pfd[k] = (struct pollfd){c->err, POLLIN, 0}; who[k++] = i; }
    if (!c->reaped && c->pidfd >= 0) { pfd[k] = (struct pollfd){c->pidfd, POLLIN, 0}; who[k++] = i; }
  }
  if (k == 0) return;
  if (poll(pfd, k, timeout_ms) < 0 && errno != EINTR) die("poll");
  for (int j = 0; j < k; j++) {
    if (!pfd[j].revents) continue;
    child_t *c = &cs[who[j]];
    if (pfd[j].fd == c->out) read_stream(c, &c->out, cb);
    else if (pfd[j].fd == c->err) read_stream(c, &c->err, NULL);
    else if (pfd[j].fd == c->pidfd) {
      int st;
      if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
        c->reaped = 1;
        close(c->pidfd);
        c->pidfd = -1;
      }
    }
    finish_if_done(c);
  }
}

static void await_all(child_t *cs, int n) {
  while (live_count > 0) poll_round(cs, n, -1, NULL);
}

static void kill_all(child_t *cs, int n, int sig) {
  for (int i = 0; i < n; i++) {
    if (!cs[i].reaped) kill(-cs[i].pid, sig);
  }
}

/* ---- output ---- */

static int g_metrics;

static void metric(const char *name, double v) {
  printf("%s\"%s\":%.6g", g_metrics++ ? "," : "{\"metrics\":{", name, v);
}

static void end_metrics(void) { printf("}}\n"); }

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  qsort(v, n, sizeof *v, cmp_double);
  int i = (int) (p / 100.0 * (n - 1) + 0.5);
  return v[i];
}

/* ---- scenarios ---- */

static void count_lines(child_t *c, const char *buf, ssize_t n) {
  c->bytes += n;
  for (const char *p = buf; (p = memchr(p, '\n', buf + n - p)) != NULL; p++) {
    if (c->lines++ == 0) c->first_line_us = now_us();
  }
}

/* Starts program= and waits for it, warmup= times: the same warm-up every subject does. */
static void warm_up(void) {
  int warm = (int) arg_ll("warmup", "0");
  char *argv[] = {(char *) arg("program", NULL), NULL};
  child_t c;
  for (int i = 0; i < warm; i++) {
    spawn_child(&c, argv);
    await_all(&c, 1);
  }
}

static int spawn_exit(void) {
  int n = (int) arg_ll("agents", NULL), cap = (int) arg_ll("cap", "0");
  char *argv[] = {(char *) arg("program", NULL), NULL};
  child_t *cs = calloc(n, sizeof *cs);
  warm_up();
  double *lat = calloc(n, sizeof *lat);
  double cpu0 = cpu_ms(), t0 = now_us();
  long peak_threads = 0;
  for (int i = 0; i < n; i++) {
    while (cap > 0 && live_count >= cap) poll_round(cs, i, -1, NULL);
    double t = now_us();
    spawn_child(&cs[i], argv);
    lat[i] = now_us() - t;
  }
  peak_threads = status_field("Threads");
  await_all(cs, n);
  metric("wall_ms", (now_us() - t0) / 1e3);
  metric("cpu_ms", cpu_ms() - cpu0);
  metric("spawn_p50_us", pct(lat, n, 50));
  metric("spawn_p99_us", pct(lat, n, 99));
  metric("threads", peak_threads);
  end_metrics();
  return 0;
}

/* Runs one `gen BYTES` agent to its end, counting its lines into *c; 1 if a byte is missing. */
static int stream(child_t *c, const char *bytes) {
  char *argv[] = {(char *) arg("agent", NULL), "gen", (char *) bytes, NULL};
  spawn_child(c, argv);
  while (live_count > 0) poll_round(c, 1, -1, count_lines);
  long long want = atoll(bytes) / 200 * 200;
  if (c->bytes != want) {
    fprintf(stderr, "peer-c: read %lld bytes, expected %lld\n", c->bytes, want);
    return 1;
  }
  return 0;
}

static int throughput(void) {
  if (arg_ll("json", "0")) {
    printf("{\"skipped\":\"the C peer parses no JSON (the OS limit is line framing)\"}\n");
    return 0;
  }
  child_t c;
  /* the same untimed warm-up as every subject (nothing to compile here, but the same page cache) */
  if (arg_ll("warmup_bytes", "0") > 0 && stream(&c, arg("warmup_bytes", NULL))) return 1;
  double cpu0 = cpu_ms(), t0 = now_us();
  if (stream(&c, arg("bytes", NULL))) return 1;
  double wall = now_us() - t0;
  metric("wall_ms", wall / 1e3);
  metric("mib_s", c.bytes / 1048576.0 / (wall / 1e6));
  metric("lines", (double) c.lines);
  metric("cpu_ms", cpu_ms() - cpu0);
  end_metrics();
  return 0;
}

static int roundtrip(void) {
  int trips = (int) arg_ll("trips", NULL), warm = (int) arg_ll("warmup", "0");
  char *argv[] = {(char *) arg("program", NULL), NULL};
  char line[200];
  memset(line, 'x', sizeof line);
  line[sizeof line - 1] = '\n';
  child_t c;
  spawn_child(&c, argv);
  /* The limit of a round trip: a blocking read on the pipe, two system calls a trip (write, read),
     no poll. */
  fcntl(c.out, F_SETFL, fcntl(c.out, F_GETFL) & ~O_NONBLOCK);
  char buf[4096];
  double *lat = calloc(trips, sizeof *lat);
  for (int i = -warm; i < trips; i++) {
    double t = now_us();
    if (write(c.in, line, sizeof line) != (ssize_t) sizeof line) die("write");
    for (int got = 0; !got;) {
      ssize_t n = read(c.out, buf, sizeof buf);
      if (n <= 0) die("read");
      got = buf[n - 1] == '\n';
    }
    if (i >= 0) lat[i] = now_us() - t;
  }
  set_nonblock(c.out);
  close(c.in);
  c.in = -1;
  live_count--; /* stdin closed by hand: cat exits */
  while (!done(&c)) poll_round(&c, 1, -1, NULL);
  double sum = 0;
  for (int i = 0; i < trips; i++) sum += lat[i];
  metric("mean_us", sum / trips);
  metric("p50_us", pct(lat, trips, 50));
  metric("p99_us", pct(lat, trips, 99));
  end_metrics();
  return 0;
}

static int footprint(void) {
  int n = (int) arg_ll("agents", NULL);
  char *argv[] = {(char *) arg("agent", NULL), "idle", NULL};
  child_t *cs = calloc(n, sizeof *cs);
  warm_up();
  long rss0 = status_field("VmRSS");
  double t0 = now_us();
  for (int i = 0; i < n; i++) spawn_child(&cs[i], argv);
  double spawned = now_us() - t0;
  usleep(500000); /* let the children settle, as every subject does */
  long rss = status_field("VmRSS"), threads = status_field("Threads");
  t0 = now_us();
  kill_all(cs, n, SIGKILL);
  await_all(cs, n);
  metric("spawn_all_ms", spawned / 1e3);
  metric("threads", threads);
  metric("rss_delta_mib", (rss - rss0) / 1024.0);
  metric("rss_per_agent_kib", (double) (rss - rss0) / n);
  metric("stop_ms", (now_us() - t0) / 1e3);
  end_metrics();
  return 0;
}

static int fanout(void) {
  int n = (int) arg_ll("agents", NULL);
  long window = arg_ll("window_ms", NULL), interval = arg_ll("interval_ms", NULL);
  char *argv[] = {(char *) arg("agent", NULL), "tick", (char *) arg("interval_ms", NULL), NULL};
  child_t *cs = calloc(n, sizeof *cs);
  warm_up();
  long rss0 = status_field("VmRSS");
  for (int i = 0; i < n; i++) {
    double t = now_us();
    spawn_child(&cs[i], argv);
    cs[i].spawned_us = t;
    poll_round(cs, i + 1, 0, count_lines);
  }
  double deadline = now_us() + 60e6;
  for (int have = 0; have < n && now_us() < deadline;) {
    poll_round(cs, n, 100, count_lines);
    have = 0;
    for (int i = 0; i < n; i++) have += cs[i].lines > 0;
  }
  long long lines0 = 0, lines1 = 0;
  for (int i = 0; i < n; i++) lines0 += cs[i].lines;
  double w0 = now_us(), end = w0 + window * 1e3;
  while (now_us() < end) poll_round(cs, n, (int) ((end - now_us()) / 1e3) + 1, count_lines);
  double w = now_us() - w0;
  for (int i = 0; i < n; i++) lines1 += cs[i].lines;
  long rss = status_field("VmRSS"), threads = status_field("Threads");
  double *first = calloc(n, sizeof *first);
  for (int i = 0; i < n; i++) first[i] = cs[i].lines ? (cs[i].first_line_us - cs[i].spawned_us) / 1e3 : 60e3;
  double t0 = now_us();
  kill_all(cs, n, SIGKILL);
  await_all(cs, n);
  metric("first_line_p50_ms", pct(first, n, 50));
  metric("first_line_p99_ms", pct(first, n, 99));
  metric("first_line_max_ms", pct(first, n, 100));
  metric("delivered_pct", 100.0 * (lines1 - lines0) / (n * (w / 1e3) / interval));
  metric("threads", threads);
  metric("rss_per_agent_kib", (double) (rss - rss0) / n);
  metric("stop_ms", (now_us() - t0) / 1e3);
  end_metrics();
  return 0;
}

static int shutdown_all(void) {
  int n = (int) arg_ll("agents", NULL);
  long timeout = arg_ll("timeout_ms", NULL);
  char *argv[] = {(char *) arg("agent", NULL), "stubborn", NULL};
  child_t *cs = calloc(n, sizeof *cs);
  for (int i = 0; i < n; i++) spawn_child(&cs[i], argv);
  for (int ready = 0; ready < n;) {
    poll_round(cs, n, 100, count_lines);
    ready = 0;
    for (int i = 0; i < n; i++) ready += cs[i].lines > 0;
  }
  double cpu0 = cpu_ms(), t0 = now_us(), deadline = t0 + timeout * 1e3;
  kill_all(cs, n, SIGTERM);
  while (live_count > 0 && now_us() < deadline) poll_round(cs, n, (int) ((deadline - now_us()) / 1e3) + 1, NULL);
  int survivors = live_count;
  kill_all(cs, n, SIGKILL);
  await_all(cs, n);
  double wall = (now_us() - t0) / 1e3;
  metric("wall_ms", wall);
  metric("overhead_ms", wall - timeout);
  metric("cpu_ms", cpu_ms() - cpu0);
  metric("killed", survivors);
  end_metrics();
  return 0;
}

/* Runs count cycles of argv, at most window at once; kill_mode sends SIGKILL right after spawn. */
static void soak_cycles(child_t *cs, int window, long count, char **argv, int kill_mode) {
  for (long started = 0; started < count;) {
    for (int i = 0; i < window && started < count; i++) {
      if (!done(&cs[i]) || cs[i].in >= 0) continue;
      spawn_child(&cs[i], argv);
      if (kill_mode) kill(-cs[i].pid, SIGKILL);
      started++;
    }
    poll_round(cs, window, -1, NULL);
  }
  await_all(cs, window);
}

static int soak(void) {
  long cycles = arg_ll("cycles", NULL);
  int window = (int) arg_ll("window", "16"), kill_mode = strcmp(arg("mode", "exit"), "kill") == 0;
  char *exit_argv[] = {(char *) arg("program", NULL), NULL};
  char *idle_argv[] = {(char *) arg("agent", NULL), "idle", NULL};
  char **argv = kill_mode ? idle_argv : exit_argv;
  child_t *cs = calloc(window, sizeof *cs);
  for (int i = 0; i < window; i++) cs[i].reaped = 1, cs[i].in = cs[i].out = cs[i].err = -1;
  soak_cycles(cs, window, arg_ll("warmup", "0"), argv, kill_mode);
  long fds0 = count_fds(), threads0 = status_field("Threads"), children0 = count_children();
  double t0 = now_us();
  soak_cycles(cs, window, cycles, argv, kill_mode);
  double wall = now_us() - t0;
  metric("wall_ms", wall / 1e3);
  metric("cycle_us", wall / cycles);
  metric("fds_before", fds0);
  metric("fds_after", count_fds());
  metric("threads_before", threads0);
  metric("threads_after", status_field("Threads"));
  metric("children_before", children0);
  metric("children_after", count_children());
  end_metrics();
  return 0;
}

int main(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
  signal(SIGPIPE, SIG_IGN);
  const char *s = argc > 1 ? argv[1] : "";
  if (strcmp(s, "spawn") == 0) return spawn_exit();
  if (strcmp(s, "throughput") == 0) return throughput();
  if (strcmp(s, "roundtrip") == 0) return roundtrip();
  if (strcmp(s, "footprint") == 0) return footprint();
  if (strcmp(s, "fanout") == 0) return fanout();
  if (strcmp(s, "shutdown") == 0) return shutdown_all();
  if (strcmp(s, "soak") == 0) return soak();
  printf("{\"skipped\":\"the C peer has no scenario '%s'\"}\n", s);
  return 0;
}
