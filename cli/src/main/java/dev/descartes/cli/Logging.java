package dev.descartes.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The command's logging backend (Logback): human lines on stderr by default ({@code logback.xml}),
 * or one JSON object a line ({@code logback-json.xml}, logstash-logback-encoder) with the MDC's
 * {@code agent_id} and {@code agent_name} as fields.
 */
final class Logging {

  private Logging() {}

  static void configure(String format) {
    String f = format.toLowerCase(Locale.ROOT);
    switch (f) {
      case "human" -> load("/logback-serve.xml");
      case "json" -> load("/logback-json.xml");
      default ->
          throw InputError.usage(
              "--log-format", "'" + format + "' is not a log format", "use human or json");
    }
  }

  private static void load(String resource) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.reset();
    JoranConfigurator c = new JoranConfigurator();
    c.setContext(ctx);
    try {
      c.doConfigure(Logging.class.getResource(resource));
    } catch (JoranException e) {
      throw new IllegalStateException(
          "cannot configure logging from " + resource + ": " + e.getMessage(), e);
    }
  }
}
