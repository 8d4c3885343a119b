package dev.descartes.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?": the known word closest to a misspelt one, if it is close enough. */
final class Spelling {

  private Spelling() {}

  /** The word of {@code known} closest to {@code word} (case ignored), if a few edits away. */
  static Optional<String> closest(String word, Collection<String> known) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(word.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestD) {
        best = k;
        bestD = d;
      }
    }
    return bestD <= Math.max(2, word.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
  }

  /** The Levenshtein distance: insertions, deletions and substitutions. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] =
            Math.min(
                Math.min(cur[j - 1] + 1, prev[j] + 1),
                prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
