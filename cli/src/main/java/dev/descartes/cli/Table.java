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

  /**
   * Prints a checklist table to stdout (colours unless {@code noColor} or not a terminal): the
   * cells of column {@code yesNo} that start with yes in the OK colour, with no in the error
   * colour.
   */
  static void printChecklist(boolean noColor, String[] header, List<String[]> rows, int yesNo) {
    Terminal terminal = Terminal.detect(noColor);
    Screen screen = Screen.system(terminal);
    Theme theme = terminal.theme();
    Painter painter =
        (row, col, cell) ->
            col != yesNo
                ? cell
                : theme.paint(
                    cell.startsWith("yes")
                        ? Style.OK
                        : cell.startsWith("no") ? Style.ERROR : Style.TEXT,
                    cell);
    for (String line : render(header, rows, theme, Integer.MAX_VALUE, painter)) {
      screen.line(false, line);
    }
  }

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
