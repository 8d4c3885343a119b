package dev.descartes.bench.jmh;

import dev.descartes.runner.internal.io.LineFramer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The newline search of the line framer over 1 MiB of output: the word-at-a-time search the framer
 * uses against a byte-at-a-time loop (what it used before), for short and long lines. Throughput in
 * buffers per second: times 1 MiB for bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NewlineSearchBench {

  @Param({"200", "4096"})
  int lineLength;

  private byte[] buf;

  @Setup
  public void fill() {
    buf = new byte[1 << 20];
    for (int i = 0; i < buf.length; i++) {
      buf[i] = (i + 1) % lineLength == 0 ? (byte) '\n' : (byte) ('a' + i % 26);
    }
  }

  @Benchmark
  public int wordAtATime() {
    int lines = 0;
    int from = 0;
    int nl;
    while ((nl = LineFramer.indexOfNewline(buf, from, buf.length)) >= 0) {
      lines++;
      from = nl + 1;
    }
    return lines;
  }

  @Benchmark
  public int byteAtATime() {
    int lines = 0;
    for (byte b : buf) {
      if (b == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
