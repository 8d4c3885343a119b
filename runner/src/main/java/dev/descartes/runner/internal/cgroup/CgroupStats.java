package dev.descartes.runner.internal.cgroup;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * One reading of an agent's cgroup.
 *
 * @param memoryBytes memory charged to the group now (or the members' resident memory)
 * @param memoryPeakBytes the most memory charged at once, where the kernel records it
 * @param cpuTime CPU time of every process that ever ran in the group
 * @param processes processes (v1 pids and v2: tasks) in the group
 * @param oomKills processes the kernel's OOM killer ended in the group
 * @param pidsRefused forks refused at the process limit
 */
public record CgroupStats(
    long memoryBytes,
    OptionalLong memoryPeakBytes,
    Duration cpuTime,
    int processes,
    long oomKills,
    long pidsRefused) {}
