package dev.descartes.server;

/**
 * A request the daemon refuses: an HTTP status, a short machine-readable code, and a message that
 * says what was wrong and how to fix it. Rendered as {@code {"error": code, "message": message}}.
 *
 * <p>Immutable; thread-safe.
 */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /**
   * @param status the HTTP status (4xx for the client's mistakes)
   * @param code a short identifier such as {@code bad_request}
   * @param message what was wrong and how to fix it; never an environment value
   */
  public ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The machine-readable code. */
  public String code() {
    return code;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }
}
