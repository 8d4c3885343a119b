package dev.descartes.runner;

/**
 * The operating system's view of an agent's main process, as the last health check saw it.
 * Immutable and thread-safe.
 */
public enum ProcessState {
  /** Running or runnable. */
  RUNNING,
  /** Waiting for something (the usual state of an agent waiting on its model). */
  SLEEPING,
  /** In an uninterruptible wait, usually disk I/O. */
  DISK_WAIT,
  /** Stopped by SIGSTOP (see {@link AgentSignal#PAUSE}) or by a debugger. */
  STOPPED,
  /** Exited, but not yet reaped by its parent. */
  ZOMBIE,
  /** Gone. */
  EXITED,
  /** Not checked yet, or the platform does not say. */
  UNKNOWN
}
