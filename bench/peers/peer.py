"""Python asyncio peer: every benchmark workload done the way the Claude Agent SDK drives its CLI.

asyncio.create_subprocess_exec with stdin, stdout and stderr on pipes and a new session, lines read
with StreamReader.readline() and parsed with json.loads.

    python3 peer.py SCENARIO key=value...   prints one JSON object: {"metrics": {...}}

Scenarios and keys are those of bench/peers/peer.c and peer.js (see bench/README.md).
"""

import asyncio
import json
import os
import signal
import sys
import time
from asyncio.subprocess import PIPE

ARGS = {}


def arg(key, default=None):
    if key in ARGS:
        return ARGS[key]
    if default is None:
        sys.exit(f"peer.py: missing argument {key}=...")
    return default


def status_field(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return -1


def count_fds():
    return len(os.listdir("/proc/self/fd")) - 1  # the listing's own descriptor


def count_children():
    me, n = os.getpid(), 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == me:
            n += 1
    return n


def pct(values, p):
    v = sorted(values)
    return v[int(p / 100 * (len(v) - 1) + 0.5)]


def now_us():
    return time.monotonic_ns() / 1e3


async def spawn(*argv):
    return await asyncio.create_subprocess_exec(
        *argv, stdin=PIPE, stdout=PIPE, stderr=PIPE, start_new_session=True)


async def warm_up():
    """Starts program= and waits for it, warmup= times: the same warm-up every subject does."""
    for _ in range(int(arg("warmup", "0"))):
        await (await spawn(arg("program"))).communicate()


async def spawn_exit():
    n, cap = int(arg("agents")), int(arg("cap", "0"))
    program = arg("program")
    await warm_up()
    lat, waits = [], []
    slots = asyncio.Semaphore(cap) if cap > 0 else None
    cpu0, t0 = time.process_time(), now_us()

    async def run_to_end(proc):
        try:
            await proc.communicate()
        finally:
            if slots:
                slots.release()

    for _ in range(n):
        if slots:
            await slots.acquire()
        t = now_us()
        proc = await spawn(program)
        lat.append(now_us() - t)
        waits.append(asyncio.ensure_future(run_to_end(proc)))
    threads = status_field("Threads")
    await asyncio.gather(*waits)
    return {"wall_ms": (now_us() - t0) / 1e3, "cpu_ms": (time.process_time() - cpu0) * 1e3,
            "spawn_p50_us": pct(lat, 50), "spawn_p99_us": pct(lat, 99), "threads": threads}


async def stream(nbytes, parse):
    """Runs one `gen nbytes` agent to its end: its lines and bytes, checked."""
    expected = int(nbytes) // 200 * 200
    proc = await spawn(arg("agent"), "gen", nbytes)
    lines = size = 0
    while True:
        line = await proc.stdout.readline()
        if not line:
            break
        lines += 1
        size += len(line)
        if parse:
            json.loads(line)
    await proc.wait()
    if size != expected:
        sys.exit(f"peer.py: read {size} bytes, expected {expected}")
    return lines, size


async def throughput():
    parse = arg("json", "0") == "1"
    if int(arg("warmup_bytes", "0")) > 0:
        await stream(arg("warmup_bytes"), parse)  # untimed, as every subject does
    cpu0, t0 = time.process_time(), now_us()
    lines, size = await stream(arg("bytes"), parse)
    wall = now_us() - t0
    return {"wall_ms": wall / 1e3, "mib_s": size / 1048576 / (wall / 1e6), "lines": lines,
            "cpu_ms": (time.process_time() - cpu0) * 1e3}


async def roundtrip():
    trips, warm = int(arg("trips")), int(arg("warmup", "0"))
    proc = await spawn(arg("program"))
    line = b"x" * 199 + b"\n"
    lat = []
    for i in range(-warm, trips):
        t = now_us()
        proc.stdin.write(line)
        await proc.stdin.drain()
        await proc.stdout.readline()
        if i >= 0:
            lat.append(now_us() - t)
    proc.stdin.close()
    await proc.communicate()
    return {"mean_us": sum(lat) / len(lat), "p50_us": pct(lat, 50), "p99_us": pct(lat, 99)}


async def stop_all(procs, drain=True):
    """SIGKILL to each, then wait; drain=False when reader tasks already read stdout to its end."""
    for p in procs:
        if p.returncode is None:
            p.kill()
    await asyncio.gather(*(p.communicate() if drain else p.wait() for p in procs))


async def footprint():
    n, agent = int(arg("agents")), arg("agent")
    await warm_up()
    rss0 = status_field("VmRSS")
    t0 = now_us()
    procs = [await spawn(agent, "idle") for _ in range(n)]
    spawned = now_us() - t0
    await asyncio.sleep(0.5)
    rss, threads = status_field("VmRSS"), status_field("Threads")
    t0 = now_us()
    await stop_all(procs)
    return {"spawn_all_ms": spawned / 1e3, "threads": threads, "rss_delta_mib": (rss - rss0) / 1024,
            "rss_per_agent_kib": (rss - rss0) / n, "stop_ms": (now_us() - t0) / 1e3}


async def fanout():
    n, agent = int(arg("agents")), arg("agent")
    window, interval = int(arg("window_ms")), int(arg("interval_ms"))
    first = [None] * n
    counts = [0] * n
    await warm_up()
    rss0 = status_field("VmRSS")

    async def read(i, proc, spawned):
        while await proc.stdout.readline():
            if counts[i] == 0:
                first[i] = (now_us() - spawned) / 1e3
            counts[i] += 1

    procs, readers = [], []
    for i in range(n):
        t = now_us()
        proc = await spawn(agent, "tick", str(interval))
        procs.append(proc)
        readers.append(asyncio.ensure_future(read(i, proc, t)))
    deadline = time.monotonic() + 60
    while any(f is None for f in first) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    lines0, w0 = sum(counts), now_us()
    await asyncio.sleep(window / 1e3)
    w = now_us() - w0
    lines1 = sum(counts)
    rss, threads = status_field("VmRSS"), status_field("Threads")
    t0 = now_us()
    await stop_all(procs, drain=False)
    await asyncio.gather(*readers)
    firsts = [f if f is not None else 60e3 for f in first]
    return {"first_line_p50_ms": pct(firsts, 50), "first_line_p99_ms": pct(firsts, 99),
            "first_line_max_ms": max(firsts),
            "delivered_pct": 100 * (lines1 - lines0) / (n * (w / 1e3) / interval),
            "threads": threads, "rss_per_agent_kib": (rss - rss0) / n,
            "stop_ms": (now_us() - t0) / 1e3}


async def shutdown():
    n, agent, timeout = int(arg("agents")), arg("agent"), int(arg("timeout_ms")) / 1e3
    procs = [await spawn(agent, "stubborn") for _ in range(n)]
    await asyncio.gather(*(p.stdout.readline() for p in procs))
    killed = 0

    async def stop(p):
        nonlocal killed
        p.terminate()
        try:
            await asyncio.wait_for(p.wait(), timeout)
        except asyncio.TimeoutError:
            killed += 1
            p.kill()
        await p.communicate()

    cpu0 = time.process_time()
    t0 = now_us()
    await asyncio.gather(*(stop(p) for p in procs))
    wall = (now_us() - t0) / 1e3
    return {"wall_ms": wall, "overhead_ms": wall - timeout * 1e3,
            "cpu_ms": (time.process_time() - cpu0) * 1e3, "killed": killed}


async def soak_cycles(count, window, argv, kill):
    """Runs count cycles of argv, at most window at once; kill sends SIGKILL right after spawn."""
    slots = asyncio.Semaphore(window)

    async def cycle():
        try:
            proc = await spawn(*argv)
            if kill:
                proc.kill()
            await proc.communicate()
        finally:
            slots.release()

    tasks = []
    for _ in range(count):
        await slots.acquire()
        tasks.append(asyncio.ensure_future(cycle()))
    await asyncio.gather(*tasks)


async def soak():
    cycles, window = int(arg("cycles")), int(arg("window", "16"))
    kill = arg("mode", "exit") == "kill"
    argv = (arg("agent"), "idle") if kill else (arg("program"),)
    await soak_cycles(int(arg("warmup", "0")), window, argv, kill)
    fds0, threads0, children0 = count_fds(), status_field("Threads"), count_children()
    t0 = now_us()
    await soak_cycles(cycles, window, argv, kill)
    wall = now_us() - t0
    return {"wall_ms": wall / 1e3, "cycle_us": wall / cycles,
            "fds_before": fds0, "fds_after": count_fds(),
            "threads_before": threads0, "threads_after": status_field("Threads"),
            "children_before": children0, "children_after": count_children()}


SCENARIOS = {"spawn": spawn_exit, "throughput": throughput, "roundtrip": roundtrip,
             "footprint": footprint, "fanout": fanout, "shutdown": shutdown, "soak": soak}


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else ""
    ARGS.update(a.split("=", 1) for a in sys.argv[2:])
    if scenario not in SCENARIOS:
        print(json.dumps({"skipped": f"the Python peer has no scenario '{scenario}'"}))
        return
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    metrics = asyncio.run(SCENARIOS[scenario]())
    print(json.dumps({"metrics": metrics}))


if __name__ == "__main__":
    main()
