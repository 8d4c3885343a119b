package dev.descartes.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table: a bold header, columns aligned with two spaces between them, the last column
 * cut to the terminal's width. Colour goes on cells through a painter, after alignment.
 */
final class Table {

  /**
   * Paints one cell (already padded); {@code row} counts from 0 for the first row after the header.
   */
  interface Painter {
    String paint(int row, int column, String cell);
  }

  private Table() {}

  static List<String> render(
      String[] header, List<String[]> rows, Theme theme, int width, Painter painter) {
    int[] w = new int[header.length];
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    for (int r = 0; r < all.size(); r++) {
      String[] row = all.get(r);
      StringBuilder sb = new StringBuilder();
      int used = 0;
      for (int i = 0; i < row.length; i++) {
        boolean last = i == row.length - 1;
        String cell =
            last
                ? HumanRenderer.truncate(row[i], Math.max(20, width - used - 1))
                : row[i] + " ".repeat(w[i] - row[i].length() + 2);
        used += cell.length();
        sb.append(r == 0 ? theme.bold(cell) : painter.paint(r - 1, i, cell));
      }
      out.add(sb.toString().stripTrailing());
    }
    return out;
  }
}
