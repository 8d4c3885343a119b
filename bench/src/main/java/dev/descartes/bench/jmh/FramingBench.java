package dev.descartes.bench.jmh;

import dev.descartes.runner.internal.io.LineBatch;
import dev.descartes.runner.internal.io.LineFramer;
import dev.descartes.runner.internal.io.LineLog;
import dev.descartes.runner.internal.io.OutputBudget;
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
 * What the read path does with one 1 MiB read of 200-byte lines after the {@code read(2)}: frame it
 * into a batch (the 32-byte-a-turn newline search; whole lines are views of the read), and frame it
 * and append the batch to a full 8 MiB window (the lines copied into the window's slabs, the log's
 * columns, the eviction of as many old lines). Reads per second: times 1 MiB for bytes per second,
 * times 5,242 for lines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FramingBench {

  @Param({"200"})
  int lineLength;

  private byte[] read;
  private final LineBatch batch = new LineBatch();
  private LineFramer framer;
  private LineLog log;

  @Setup
  public void fill() {
    read = new byte[1 << 20];
    for (int i = 0; i < read.length; i++) {
      read[i] = (i + 1) % lineLength == 0 ? (byte) '\n' : (byte) ('a' + i % 26);
    }
    framer = new LineFramer(8 << 20, batch);
    log = new LineLog(8 << 20, 64 << 10, new OutputBudget(1L << 30));
    for (int i = 0; i < 10; i++) {
      frameAndAppend();
    }
  }

  @Benchmark
  public int frame() {
    framer.feed(read, 0, read.length);
    int n = batch.size();
    batch.clear();
    return n;
  }

  @Benchmark
  public int frameAndAppend() {
    framer.feed(read, 0, read.length);
    int n = batch.size();
    log.append(batch, 1);
    batch.clear();
    return n;
  }
}
