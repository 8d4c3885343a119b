package dev.descartes.cli;

/** What a line of output is, which decides its colour on a terminal. */
enum Style {
  /** The agent's own words. */
  TEXT(""),
  /** Secondary detail: session ids, tool output, stderr, unknown JSON. */
  DIM("2"),
  /** A tool call. */
  TOOL("1"),
  /** Success. */
  OK("32"),
  /** Failure. */
  ERROR("31"),
  /** Something the descartes command itself says (stopping, skipped lines). */
  NOTE("33");

  private final String sgr;

  Style(String sgr) {
    this.sgr = sgr;
  }

  /** The ANSI SGR parameters, empty for none. */
  String sgr() {
    return sgr;
  }
}
