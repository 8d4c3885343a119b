package dev.descartes.cli;

/**
 * Bad input from the user: an unknown backend, a malformed fleet file, a missing CLI, a bad flag.
 * {@link Main} prints its message as one line on stderr and exits with {@link ExitCodes#USAGE}.
 */
public final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
