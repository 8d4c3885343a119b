package dev.descartes.runner.internal.engine;

/** Where an engine delivers the bytes of one output stream. Called by one thread at a time. */
public interface OutputSink {

  /** Bytes read from the stream; {@code buf} is reused after the call returns. */
  void data(byte[] buf, int off, int len);

  /** End of file (or the stream was abandoned); called exactly once. */
  void end();
}
