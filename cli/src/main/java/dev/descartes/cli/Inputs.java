package dev.descartes.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks the files and folders named on the command line or in a fleet file. */
final class Inputs {

  private Inputs() {}

  /** The text of a context file; {@code field} names the option or key in messages. */
  static String readContextFile(Path file, String field) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UsageException(field + " " + file + " does not exist");
    } catch (IOException e) {
      throw new UsageException(field + " " + file + " cannot be read: " + e.getMessage());
    }
  }

  /** {@code dir}, absolute and normalized, once checked to be an existing directory. */
  static Path directory(Path dir, String field) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new UsageException(field + " " + abs + (Files.exists(abs) ? " is not a directory" : " does not exist")
          + "; give an existing directory");
    }
    return abs;
  }
}
