package dev.descartes.runner.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every byte of one output stream, on disk, byte-exact, in the order read. A write error stops the
 * transcript and is reported once, by {@link #write}'s result, for the owner to log; the agent goes
 * on. Used by one pump thread; {@link #close()} may be called from another.
 */
public final class Transcript implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Transcript.class);

  private final Path path;
  private final FileChannel channel;
  private volatile boolean failed;

  private Transcript(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  public static Transcript create(Path path) throws IOException {
    return new Transcript(
        path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  public Path path() {
    return path;
  }

  /**
   * Appends the bytes, or does nothing once a write has failed.
   *
   * @return the error of this write, which stopped the transcript (reported once, by the write that
   *     failed), or null
   */
  public IOException write(byte[] buf, int off, int len) {
    if (failed) {
      return null;
    }
    try {
      ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
      while (bb.hasRemaining()) {
        channel.write(bb);
      }
      return null;
    } catch (IOException e) {
      failed = true;
      return e;
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("closing transcript {}: {}", path, e.toString());
    }
  }
}
