package dev.descartes.runner.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscriptTest {

  @Test
  void aTranscriptWriteErrorIsReportedOnceByTheWriteThatFailed(@TempDir Path dir) throws Exception {
    Transcript transcript = Transcript.create(dir.resolve("out"));
    transcript.close(); // every later write fails
    byte[] line = "hello\n".getBytes();
    assertThat(transcript.write(line, 0, line.length)).isNotNull();
    assertThat(transcript.write(line, 0, line.length)).isNull();
    assertThat(Files.size(dir.resolve("out"))).isZero();
  }
}
