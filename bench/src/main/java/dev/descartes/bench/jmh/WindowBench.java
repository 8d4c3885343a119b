package dev.descartes.bench.jmh;

import dev.descartes.runner.internal.io.LineLog;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The output window: appending 200-byte lines to a full 8 MiB window (each append drops the oldest
 * line), with no reader, and with an every-line reader that reads each line as it comes (the cost
 * of the backpressure bookkeeping). Lines per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WindowBench {

  private final byte[] line = ("x".repeat(199) + "\n").getBytes();
  private LineLog latest;
  private LineLog everyLine;
  private LineLog.Cursor cursor;

  @Setup
  public void fill() {
    latest = new LineLog(8 << 20, 64 << 10);
    everyLine = new LineLog(8 << 20, 64 << 10);
    cursor = everyLine.newCursor(true);
    for (int i = 0; i < 50_000; i++) {
      latest.append(line, true, 0);
      everyLine.append(line, true, 0);
      everyLine.poll(cursor);
    }
  }

  @Benchmark
  public void appendLatest() {
    latest.append(line, true, 0);
  }

  @Benchmark
  public Object appendAndReadEveryLine() {
    everyLine.append(line, true, 0);
    return everyLine.poll(cursor);
  }
}
