package dev.descartes.runner.internal;

import dev.descartes.runner.ProcessState;
import dev.descartes.runner.ResourceUsage;
import java.time.Instant;
import java.util.Optional;

/**
 * One health check of one agent's tree. Immutable.
 *
 * @param state the main process's state
 * @param usage CPU, memory and process count of the tree, when they could be read
 * @param at when the check ran
 */
record HealthSample(ProcessState state, Optional<ResourceUsage> usage, Instant at) {}
