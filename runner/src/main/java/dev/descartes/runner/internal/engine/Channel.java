package dev.descartes.runner.internal.engine;

/**
 * A pipe end the native engine holds for an agent; the engine releases what is left when it closes.
 */
interface Channel {

  /** Stops using the descriptor and closes it (output: abandon; stdin: close). Idempotent. */
  void release();
}
