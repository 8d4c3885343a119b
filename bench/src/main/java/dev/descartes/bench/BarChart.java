package dev.descartes.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one PNG per scenario (headless): an XChart bar chart per compared figure of each case, a
 * bar per subject at its median with an error bar from minimum to maximum, on a log axis when the
 * values span more than 30×; beside each chart, each subject's median and the runner's ratio to it,
 * or why the subject has no figure. The charts are stacked into one image.
 */
public final class BarChart {

  private static final int WIDTH = 1400;
  private static final int CHART_WIDTH = 820;
  private static final int CHART_HEIGHT = 320;
  private static final int TEXT_X = CHART_WIDTH + 20;
  private static final int TOP = 44;
  private static final int GAP = 14;
  private static final int LEGEND_TOP = 84;
  private static final int LEGEND_ROW = 36;
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
    List<BufferedImage> panels = new ArrayList<>();
    for (CaseResult c : cases) {
      for (MetricSpec m : c.variant().shown()) {
        if (m.compared()
            && c.subjects().stream().anyMatch(s -> c.stats(s.id(), m.key()).isPresent())) {
          panels.add(panel(new Panel(c, m)));
        }
      }
    }
    if (panels.isEmpty()) {
      return false;
    }
    int height = TOP + panels.stream().mapToInt(p -> p.getHeight() + GAP).sum();
    BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(img);
    try {
      g.setColor(Color.BLACK);
      g.setFont(TITLE.deriveFont(17f));
      g.drawString("Descartes Agent Runner benchmark: " + scenario, 16, 28);
      int y = TOP;
      for (BufferedImage p : panels) {
        g.drawImage(p, 0, y, null);
        y += p.getHeight() + GAP;
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", file.toFile());
    return true;
  }

  /** One figure of one case: the chart on the left, the subjects' figures as text on the right. */
  private static BufferedImage panel(Panel p) {
    CaseResult c = p.c();
    MetricSpec m = p.m();
    List<Subject> measured = new ArrayList<>();
    for (Subject s : c.subjects()) {
      if (c.problem(s.id()).isEmpty() && c.stats(s.id(), m.key()).isPresent()) {
        measured.add(s);
      }
    }
    int height = Math.max(CHART_HEIGHT, LEGEND_TOP + LEGEND_ROW * c.subjects().size());
    BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = graphics(img);
    try {
      if (!measured.isEmpty()) {
        g.drawImage(BitmapEncoder.getBufferedImage(chart(c, m, measured)), 0, 0, null);
      }
      legend(g, c, m);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static CategoryChart chart(CaseResult c, MetricSpec m, List<Subject> measured) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Subject s : measured) {
      Stats st = c.stats(s.id(), m.key()).orElseThrow();
      lo = Math.min(lo, Math.max(st.min(), 1e-9));
      hi = Math.max(hi, st.max());
    }
    boolean log = hi / lo > 30;
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(CHART_WIDTH)
            .height(CHART_HEIGHT)
            .title(c.variant().title())
            .yAxisTitle(
                m.label()
                    + (m.unit().isEmpty() ? "" : " (" + m.unit().replace("us", "µs") + ")")
                    + (log ? ", log scale" : ""))
            .build();
    CategoryStyler st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotBorderVisible(false);
    st.setPlotGridLinesColor(new Color(0xdddddd));
    st.setChartTitleFont(TITLE);
    st.setChartTitleBoxVisible(false);
    st.setAxisTitleFont(TEXT);
    st.setAxisTickLabelsFont(SMALL);
    st.setLegendVisible(false);
    st.setOverlapped(true);
    st.setAvailableSpaceFill(0.55);
    st.setErrorBarsColor(Color.BLACK);
    if (log) {
      // Decades, labelled by XChart in the figure's unit: a custom tick formatter would put
      // linear ticks on the log axis. The floor is below the smallest value, so its bar shows.
      st.setYAxisLogarithmic(true);
      st.setYAxisLogarithmicDecadeOnly(true);
      st.setYAxisDecimalPattern("#,##0.###"); // 10,000 rather than 1E4
      st.setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo / 2))));
      st.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
    } else {
      st.setYAxisMin(0.0);
      st.setYAxisMax(hi * 1.08);
      chart.setCustomYAxisTickLabelsFormatter(v -> Format.value(v, m.unit()));
    }

    List<String> names = measured.stream().map(Subject::id).toList();
    List<Double> mids = new ArrayList<>();
    List<Double> spreads = new ArrayList<>();
    for (int i = 0; i < measured.size(); i++) {
      Stats v = c.stats(names.get(i), m.key()).orElseThrow();
      // One bar series per subject, so each has its colour; null leaves the other categories empty.
      List<Double> bar = new ArrayList<>(Collections.nCopies(names.size(), (Double) null));
      bar.set(i, v.median());
      CategorySeries s = chart.addSeries(names.get(i), names, bar);
      s.setFillColor(COLORS.getOrDefault(names.get(i), Color.GRAY));
      // XChart's error bars are symmetric about the point: centre them between min and max (on a
      // log
      // axis, XChart reads the error bar as a factor, so the centre is the geometric mean).
      double lower = Math.max(v.min(), 1e-9);
      mids.add(log ? Math.sqrt(lower * v.max()) : (v.min() + v.max()) / 2);
      spreads.add(log ? Math.sqrt(v.max() / lower) : (v.max() - v.min()) / 2);
    }
    CategorySeries whiskers = chart.addSeries("min–max", names, mids, spreads);
    whiskers.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Scatter);
    whiskers.setMarker(SeriesMarkers.NONE);
    return chart;
  }

  /** The subjects' medians, the ratios to the runner, and why a subject has no figure. */
  private static void legend(Graphics2D g, CaseResult c, MetricSpec m) {
    int y = LEGEND_TOP - 36;
    g.setColor(Color.DARK_GRAY);
    g.setFont(SMALL);
    g.drawString(
        m.direction()
            + "; bar: median, error bar: min–max; "
            + c.variant().runs()
            + (c.variant().runs() == 1 ? " run" : " runs"),
        TEXT_X,
        y);
    g.drawString("ratios: the runner's median against the subject's", TEXT_X, y + 15);
    y += 36;
    int width = WIDTH - TEXT_X - 28;
    List<Subject> baselines = c.baselines();
    for (Subject s : c.subjects()) {
      Optional<Stats> st = c.stats(s.id(), m.key());
      Optional<String> problem = c.problem(s.id());
      g.setColor(COLORS.getOrDefault(s.id(), Color.GRAY));
      g.fillRect(TEXT_X, y - 10, 10, 10);
      g.setColor(Color.BLACK);
      g.setFont(TEXT);
      String label;
      if (problem.isPresent() || st.isEmpty()) {
        label = problem.orElse("no figure");
      } else {
        double median = st.get().median();
        label = Format.value(median, m.unit());
        for (Subject base : baselines) {
          if (!base.id().equals(s.id())) {
            double bm = c.stats(base.id(), m.key()).map(Stats::median).orElse(Double.NaN);
            label += m.compare(bm, median).map(r -> "   " + base.id() + " " + r).orElse("");
          }
        }
      }
      g.drawString(s.id(), TEXT_X + 16, y);
      g.setFont(SMALL);
      g.setColor(problem.isPresent() ? Color.GRAY : Color.DARK_GRAY);
      g.drawString(clip(g, label, width), TEXT_X + 16, y + 15);
      y += LEGEND_ROW;
    }
  }

  private static Graphics2D graphics(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    return g;
  }

  private static String clip(Graphics2D g, String s, int width) {
    FontMetrics fm = g.getFontMetrics();
    String t = s.replace('\n', ' ');
    while (fm.stringWidth(t) > width && t.length() > 4) {
      t = t.substring(0, t.length() - 4) + "…";
    }
    return t;
  }
}
