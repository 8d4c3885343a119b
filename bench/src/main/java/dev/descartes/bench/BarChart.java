package dev.descartes.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * Draws one PNG per scenario with Java2D (headless): a panel per compared figure of each case, a
 * bar per subject at its median with a whisker from minimum to maximum, the value and the runner's
 * ratio written beside it. A panel whose values span more than 30× uses a log scale and says so.
 */
public final class BarChart {

  private static final int WIDTH = 1400;
  private static final int LABEL = 180;
  private static final int PLOT = 600;
  private static final int ROW = 26;
  private static final int HEAD = 46;
  private static final int AXIS = 30;
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final Map<String, Color> COLORS =
      Map.of(
          "runner-jdk",
          new Color(0x1f77b4),
          "runner-native",
          new Color(0x17becf),
          "runner-auto",
          new Color(0x3a5fcd),
          "jdk-processbuilder",
          new Color(0xff7f0e),
          "c-posix-spawn",
          new Color(0x2ca02c),
          "python-asyncio",
          new Color(0x9467bd),
          "node-child-process",
          new Color(0x8c564b));

  private BarChart() {}

  private record Panel(CaseResult c, MetricSpec m) {}

  /**
   * Writes the chart of {@code cases}; returns false (and writes nothing) if no panel has a figure.
   */
  public static boolean write(Path file, String scenario, List<CaseResult> cases)
      throws IOException {
    List<Panel> panels = new ArrayList<>();
    for (CaseResult c : cases) {
      for (MetricSpec m : c.variant().shown()) {
        if (m.compared()
            && c.subjects().stream().anyMatch(s -> c.stats(s.id(), m.key()).isPresent())) {
          panels.add(new Panel(c, m));
        }
      }
    }
    if (panels.isEmpty()) {
      return false;
    }
    int height =
        40 + panels.stream().mapToInt(p -> HEAD + ROW * p.c().subjects().size() + AXIS + 16).sum();
    BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      g.setColor(Color.BLACK);
      g.setFont(TITLE.deriveFont(17f));
      g.drawString("Descartes Agent Runner benchmark: " + scenario, 16, 26);
      int y = 40;
      for (Panel p : panels) {
        y = panel(g, p, y);
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", file.toFile());
    return true;
  }

  private static int panel(Graphics2D g, Panel p, int top) {
    CaseResult c = p.c();
    MetricSpec m = p.m();
    List<Subject> subjects = c.subjects();
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Subject s : subjects) {
      Optional<Stats> st = c.stats(s.id(), m.key());
      if (st.isPresent()) {
        lo = Math.min(lo, Math.max(st.get().min(), 1e-9));
        hi = Math.max(hi, st.get().max());
      }
    }
    boolean log = lo > 0 && hi / lo > 30;
    Scale scale = log ? Scale.log(lo, hi) : Scale.linear(hi);
    g.setColor(Color.BLACK);
    g.setFont(TITLE);
    g.drawString(c.variant().title(), 16, top + 18);
    g.setFont(TEXT);
    g.setColor(Color.DARK_GRAY);
    g.drawString(
        m.label()
            + (m.unit().isEmpty() ? "" : " (" + m.unit() + ")")
            + ", "
            + m.direction()
            + (log ? ", log scale" : "")
            + "; median bar, min–max whisker; "
            + c.variant().runs()
            + (c.variant().runs() == 1 ? " run" : " runs"),
        16,
        top + 36);
    int y = top + HEAD;
    int x0 = 16 + LABEL;
    List<Subject> baselines = c.baselines();
    for (Subject s : subjects) {
      g.setColor(Color.BLACK);
      g.setFont(TEXT);
      g.drawString(s.id(), 16, y + 17);
      Optional<Stats> st = c.stats(s.id(), m.key());
      Optional<String> problem = c.problem(s.id());
      if (problem.isPresent() || st.isEmpty()) {
        g.setColor(Color.GRAY);
        g.setFont(SMALL);
        g.drawString(clip(g, problem.orElse("no figure"), WIDTH - x0 - 16), x0 + 4, y + 17);
        y += ROW;
        continue;
      }
      Stats v = st.get();
      g.setColor(COLORS.getOrDefault(s.id(), Color.GRAY));
      int w = Math.max(1, scale.x(v.median()));
      g.fillRect(x0, y + 5, w, ROW - 10);
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1.3f));
      int a = x0 + scale.x(v.min());
      int b = x0 + scale.x(v.max());
      int mid = y + ROW / 2;
      g.drawLine(a, mid, b, mid);
      g.drawLine(a, mid - 5, a, mid + 5);
      g.drawLine(b, mid - 5, b, mid + 5);
      String label = Format.value(v.median(), m.unit());
      for (Subject base : baselines) {
        if (!base.id().equals(s.id())) {
          double bm = c.stats(base.id(), m.key()).map(Stats::median).orElse(Double.NaN);
          label += m.compare(bm, v.median()).map(r -> "   " + base.id() + " " + r).orElse("");
        }
      }
      g.setFont(SMALL);
      g.drawString(label, x0 + PLOT + 12, y + 17);
      y += ROW;
    }
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawLine(x0, y + 2, x0 + PLOT, y + 2);
    g.setFont(SMALL);
    for (double t : scale.ticks()) {
      int x = x0 + scale.x(t);
      g.drawLine(x, y + 2, x, y + 6);
      String s = Format.value(t, m.unit());
      g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y + 19);
    }
    return y + AXIS + 16;
  }

  private static String clip(Graphics2D g, String s, int width) {
    FontMetrics fm = g.getFontMetrics();
    String t = s.replace('\n', ' ');
    while (fm.stringWidth(t) > width && t.length() > 4) {
      t = t.substring(0, t.length() - 4) + "…";
    }
    return t;
  }

  /** Maps values to pixels along the plot's width. */
  private record Scale(boolean log, double lo, double hi, double step) {

    static Scale linear(double max) {
      double step = niceStep(max / 5);
      return new Scale(false, 0, Math.max(step, Math.ceil(max / step) * step), step);
    }

    static Scale log(double min, double max) {
      return new Scale(
          true,
          Math.floor(Math.log10(min)),
          Math.max(Math.ceil(Math.log10(max)), Math.floor(Math.log10(min)) + 1),
          1);
    }

    int x(double v) {
      double f = log ? (Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo) : v / hi;
      return (int) Math.round(Math.max(0, Math.min(1, f)) * PLOT);
    }

    List<Double> ticks() {
      List<Double> t = new ArrayList<>();
      if (log) {
        for (double e = lo; e <= hi; e++) {
          t.add(Math.pow(10, e));
        }
      } else {
        for (int i = 0; i * step <= hi * 1.0001; i++) {
          t.add(step * i);
        }
      }
      return t;
    }

    private static double niceStep(double raw) {
      if (raw <= 0) {
        return 1;
      }
      double p = Math.pow(10, Math.floor(Math.log10(raw)));
      double f = raw / p;
      return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
    }
  }
}
