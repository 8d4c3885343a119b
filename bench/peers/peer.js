// Node peer: every benchmark workload done with child_process.spawn, the way pm2 runs its
// processes: stdin, stdout and stderr on pipes, a new session (detached), lines split by the
// readline module and parsed with JSON.parse.
//
//   node --expose-gc peer.js SCENARIO key=value...   prints one JSON object: {"metrics": {...}}
//
// Scenarios and keys are those of bench/peers/peer.c and peer.py (see bench/README.md).
'use strict';

const { spawn: spawnChild } = require('node:child_process');
const fs = require('node:fs');
const readline = require('node:readline');

const ARGS = {};

function arg(key, dflt) {
  if (key in ARGS) return ARGS[key];
  if (dflt === undefined) {
    process.stderr.write(`peer.js: missing argument ${key}=...\n`);
    process.exit(2);
  }
  return dflt;
}

function statusField(name) {
  for (const line of fs.readFileSync('/proc/self/status', 'utf8').split('\n')) {
    if (line.startsWith(name + ':')) return parseInt(line.split(/\s+/)[1], 10);
  }
  return -1;
}

const countFds = () => fs.readdirSync('/proc/self/fd').length - 1; // the listing's own descriptor

function countChildren() {
  let n = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10) === process.pid) n++;
  }
  return n;
}

function pct(values, p) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.round((p / 100) * (v.length - 1))];
}

const nowUs = () => Number(process.hrtime.bigint()) / 1e3;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const tick = () => new Promise(setImmediate);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts argv; child.done resolves once it has exited and its stdio has closed. Stderr is drained.
function spawn(argv) {
  const child = spawnChild(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.done = new Promise((resolve) => child.once('close', resolve));
  child.stderr.resume();
  return child;
}

// Drains a child's stdout without looking at it, and waits for the child to close.
function ended(child) {
  child.stdout.resume();
  return child.done;
}

// Starts program= and waits for it, warmup= times: the same warm-up every subject does.
async function warmUp() {
  const warm = +arg('warmup', '0');
  for (let i = 0; i < warm; i++) await ended(spawn([arg('program')]));
}

async function spawnExit() {
  const n = +arg('agents'), cap = +arg('cap', '0');
  const program = arg('program');
  await warmUp();
  const lat = [], waits = [];
  let live = 0, wake = null;
  const cpu0 = cpuMs(), t0 = nowUs();
  for (let i = 0; i < n; i++) {
    while (cap > 0 && live >= cap) await new Promise((r) => (wake = r));
    const t = nowUs();
    const child = spawn([program]);
    lat.push(nowUs() - t);
    live++;
    waits.push(ended(child).then(() => {
      live--;
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    }));
  }
  const threads = statusField('Threads');
  await Promise.all(waits);
  return { wall_ms: (nowUs() - t0) / 1e3, cpu_ms: cpuMs() - cpu0, spawn_p50_us: pct(lat, 50),
    spawn_p99_us: pct(lat, 99), threads };
}

// Runs one `gen bytes` agent to its end: its lines and bytes, checked.
async function stream(bytes, parse) {
  const expected = Math.floor(+bytes / 200) * 200;
  const child = spawn([arg('agent'), 'gen', bytes]);
  let lines = 0, size = 0;
  const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    lines++;
    size += Buffer.byteLength(line) + 1;
    if (parse) JSON.parse(line);
  }
  await child.done;
  if (size !== expected) throw new Error(`read ${size} bytes, expected ${expected}`);
  return { lines, size };
}

async function throughput() {
  const parse = arg('json', '0') === '1';
  if (+arg('warmup_bytes', '0') > 0) await stream(arg('warmup_bytes'), parse); // untimed, as every subject does
  const cpu0 = cpuMs(), t0 = nowUs();
  const { lines, size } = await stream(arg('bytes'), parse);
  const wall = nowUs() - t0;
  return { wall_ms: wall / 1e3, mib_s: size / 1048576 / (wall / 1e6), lines, cpu_ms: cpuMs() - cpu0 };
}

async function roundtrip() {
  const trips = +arg('trips'), warm = +arg('warmup', '0');
  const child = spawn([arg('program')]);
  const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  const line = 'x'.repeat(199) + '\n';
  const lat = [];
  for (let i = -warm; i < trips; i++) {
    const t = nowUs();
    child.stdin.write(line);
    await it.next();
    if (i >= 0) lat.push(nowUs() - t);
  }
  child.stdin.end();
  await it.return();
  await ended(child);
  return { mean_us: lat.reduce((a, b) => a + b, 0) / lat.length, p50_us: pct(lat, 50), p99_us: pct(lat, 99) };
}

async function stopAll(children) {
  const done = children.map(ended);
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(done);
}

async function footprint() {
  const n = +arg('agents'), agent = arg('agent');
  await warmUp();
  global.gc();
  const rss0 = statusField('VmRSS'), heap0 = process.memoryUsage().heapUsed;
  let t0 = nowUs();
  const children = [];
  for (let i = 0; i < n; i++) children.push(spawn([agent, 'idle']));
  const spawned = nowUs() - t0;
  await sleep(500);
  global.gc();
  const rss = statusField('VmRSS'), threads = statusField('Threads');
  const heap = process.memoryUsage().heapUsed;
  t0 = nowUs();
  await stopAll(children);
  return { spawn_all_ms: spawned / 1e3, threads, rss_delta_mib: (rss - rss0) / 1024,
    rss_per_agent_kib: (rss - rss0) / n, heap_delta_mib: (heap - heap0) / 1048576,
    stop_ms: (nowUs() - t0) / 1e3 };
}

async function fanout() {
  const n = +arg('agents'), agent = arg('agent');
  const window = +arg('window_ms'), interval = +arg('interval_ms');
  const first = new Array(n).fill(null), counts = new Array(n).fill(0);
  await warmUp();
  const rss0 = statusField('VmRSS');
  const children = [];
  for (let i = 0; i < n; i++) {
    const t = nowUs();
    const child = spawn([agent, 'tick', String(interval)]);
    children.push(child);
    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', () => {
      if (counts[i]++ === 0) first[i] = (nowUs() - t) / 1e3;
    });
    await tick();
  }
  const deadline = Date.now() + 60000;
  while (first.some((f) => f === null) && Date.now() < deadline) await sleep(10);
  const lines0 = counts.reduce((a, b) => a + b, 0), w0 = nowUs();
  await sleep(window);
  const w = nowUs() - w0, lines1 = counts.reduce((a, b) => a + b, 0);
  const rss = statusField('VmRSS'), threads = statusField('Threads');
  const t0 = nowUs();
  await stopAll(children);
  const firsts = first.map((f) => (f === null ? 60e3 : f));
  return { first_line_p50_ms: pct(firsts, 50), first_line_p99_ms: pct(firsts, 99),
    first_line_max_ms: Math.max(...firsts),
    delivered_pct: (100 * (lines1 - lines0)) / (n * (w / 1e3) / interval),
    threads, rss_per_agent_kib: (rss - rss0) / n, stop_ms: (nowUs() - t0) / 1e3 };
}

async function shutdown() {
  const n = +arg('agents'), agent = arg('agent'), timeout = +arg('timeout_ms');
  const children = [];
  const ready = [];
  for (let i = 0; i < n; i++) {
    const c = spawn([agent, 'stubborn']);
    children.push(c);
    ready.push(new Promise((r) => c.stdout.once('data', r)));
  }
  await Promise.all(ready);
  let killed = 0;
  const cpu0 = cpuMs();
  const t0 = nowUs();
  await Promise.all(children.map(async (c) => {
    const done = ended(c);
    c.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(() => r('timeout'), timeout));
    if ((await Promise.race([done, timer])) === 'timeout') {
      killed++;
      c.kill('SIGKILL');
      await done;
    }
  }));
  const wall = (nowUs() - t0) / 1e3;
  return { wall_ms: wall, overhead_ms: wall - timeout, cpu_ms: cpuMs() - cpu0, killed };
}

// Runs count cycles of argv, at most window at once; kill sends SIGKILL right after spawn.
async function soakCycles(count, window, argv, kill) {
  let started = 0;
  async function lane() {
    while (started < count) {
      started++;
      const child = spawn(argv);
      const done = ended(child);
      if (kill) child.kill('SIGKILL');
      await done;
    }
  }
  await Promise.all(Array.from({ length: window }, lane));
}

async function soak() {
  const cycles = +arg('cycles'), window = +arg('window', '16'), kill = arg('mode', 'exit') === 'kill';
  const argv = kill ? [arg('agent'), 'idle'] : [arg('program')];
  await soakCycles(+arg('warmup', '0'), window, argv, kill);
  const fds0 = countFds(), threads0 = statusField('Threads'), children0 = countChildren();
  const t0 = nowUs();
  await soakCycles(cycles, window, argv, kill);
  const wall = nowUs() - t0;
  return { wall_ms: wall / 1e3, cycle_us: wall / cycles, fds_before: fds0, fds_after: countFds(),
    threads_before: threads0, threads_after: statusField('Threads'),
    children_before: children0, children_after: countChildren() };
}

const SCENARIOS = { spawn: spawnExit, throughput, roundtrip, footprint, fanout, shutdown, soak };

async function main() {
  const scenario = process.argv[2] || '';
  for (const a of process.argv.slice(3)) {
    const i = a.indexOf('=');
    ARGS[a.slice(0, i)] = a.slice(i + 1);
  }
  if (!(scenario in SCENARIOS)) {
    console.log(JSON.stringify({ skipped: `the Node peer has no scenario '${scenario}'` }));
    return;
  }
  const metrics = await SCENARIOS[scenario]();
  console.log(JSON.stringify({ metrics }));
}

main().catch((e) => {
  process.stderr.write(`peer.js: ${e.stack}\n`);
  process.exit(1);
});
