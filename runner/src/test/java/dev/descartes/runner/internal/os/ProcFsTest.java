package dev.descartes.runner.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {

  @TempDir Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "ids", ""), text);
  }

  @Test
  void readsEveryPidOfAChildrenFile() throws IOException {
    assertThat(ProcFs.ids(file("12 345 6789 "))).containsExactly(12, 345, 6789);
    assertThat(ProcFs.ids(file("4194304"))).containsExactly(4194304);
    assertThat(ProcFs.ids(file("7\n"))).containsExactly(7);
  }

  @Test
  void readsEveryPidOfATasksFile() throws IOException {
    assertThat(ProcFs.ids(file("101\n102\n103\n"))).containsExactly(101, 102, 103);
  }

  @Test
  void anEmptyChildrenFileHasNoPids() throws IOException {
    assertThat(ProcFs.ids(file(""))).isEmpty();
    assertThat(ProcFs.ids(file(" \n"))).isEmpty();
  }

  @Test
  void aFileThatIsGoneHasNoPids() {
    assertThat(ProcFs.ids(dir.resolve("gone"))).isEmpty();
  }

  @Test
  void readsAFileLongerThanItsFirstBuffer() throws IOException {
    String text = "x".repeat(5000);
    assertThat(ProcFs.readBytes(file(text))).hasSize(5000);
    assertThatThrownBy(() -> ProcFs.readBytes(dir.resolve("gone")))
        .isInstanceOf(NoSuchFileException.class);
  }
}
