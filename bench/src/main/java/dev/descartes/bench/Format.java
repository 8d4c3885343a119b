package dev.descartes.bench;

import java.util.Locale;

/** How figures are printed in tables, plots and Markdown: a few significant digits, units kept. */
public final class Format {

  private Format() {}

  /** A ratio such as {@code 2.10×}, {@code 14.3×} or {@code 1250×}. */
  public static String ratio(double r) {
    return number(r) + "×";
  }

  /**
   * A value with its unit, times scaled to a readable unit ({@code 1530 ms} becomes {@code 1.53
   * s}).
   */
  public static String value(double v, String unit) {
    if (Double.isNaN(v)) {
      return "—";
    }
    switch (unit) {
      case "us" -> {
        return Math.abs(v) >= 1000 ? value(v / 1000, "ms") : number(v) + " µs";
      }
      case "ms" -> {
        return Math.abs(v) >= 1000 ? number(v / 1000) + " s" : number(v) + " ms";
      }
      case "" -> {
        return number(v);
      }
      default -> {
        return number(v) + " " + unit;
      }
    }
  }

  /** Three significant digits, no exponent, no trailing noise. */
  public static String number(double v) {
    double a = Math.abs(v);
    if (a == 0) {
      return "0";
    }
    if (a >= 100 || v == Math.rint(v) && a < 1e15) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
