package dev.descartes.cli;

import dev.descartes.cli.Node.ListNode;
import dev.descartes.cli.Node.Scalar;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSandbox.Endpoint;
import dev.descartes.runner.AgentSandbox.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code sandbox:} field of a fleet file, at the top (every agent's default) or in an agent:
 *
 * <pre>{@code
 * sandbox: true                       # the default sandbox: rest read-only, new HOME, private loopback
 * sandbox: false                      # (in an agent) no sandbox, whatever the top says
 * sandbox:
 *   network: allow=api.anthropic.com:443   # none | loopback | host | allow=HOST:PORT,...
 *                                          # or a list: [api.anthropic.com:443, 127.0.0.1:8080]
 *   filesystem: read-only            # or hidden: only system folders and the agent's program
 *   readOnly: [../docs]              # more folders, relative to the fleet file's folder
 *   readWrite: [../cache]
 *   home: ../agent-home              # HOME instead of a new empty one
 * }</pre>
 */
final class FleetSandbox {

  private static final String EXPECTED =
      "write sandbox: true, or sandbox: with network:, filesystem:, readOnly:,"
          + " readWrite: and home: below it";

  private FleetSandbox() {}

  /**
   * The field in {@code f}: empty when absent; {@code Optional.empty()} inside for {@code false}.
   * Wrong values become problems and read as absent.
   */
  static Optional<Optional<AgentSandbox>> read(Fields f, Path dir, Problems problems) {
    Optional<Node> node = f.node("sandbox");
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (node.get() instanceof Scalar) {
      return f.bool("sandbox")
          .map(on -> on ? Optional.of(AgentSandbox.defaults()) : Optional.empty());
    }
    Optional<Fields> s = f.map("sandbox", "sandbox", EXPECTED);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Fields m = s.get();
    AgentSandbox.Builder b = AgentSandbox.builder();
    int before = problems.size();
    m.get("network", FleetSandbox::network).ifPresent(b::network);
    m.get("filesystem", FleetSandbox::rest).ifPresent(b::rest);
    m.texts("readOnly", "write readOnly: as a list of folders, such as readOnly: [../docs]")
        .ifPresent(l -> l.forEach(p -> b.readOnly(dir.resolve(p).normalize())));
    m.texts("readWrite", "write readWrite: as a list of folders, such as readWrite: [../cache]")
        .ifPresent(l -> l.forEach(p -> b.readWrite(dir.resolve(p).normalize())));
    m.text(
            "home",
            "name a folder for HOME, relative to the fleet file's folder, or leave it out for a new"
                + " empty one")
        .ifPresent(h -> b.home(dir.resolve(h).normalize()));
    m.done();
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(Optional.of(b.build()));
  }

  /**
   * {@code none}, {@code loopback}, {@code host}, {@code allow=HOST:PORT,...}, or a list of
   * HOST:PORT.
   */
  static Network network(Node n) {
    String fix =
        "write none, loopback, host, allow=HOST:PORT,... or a list of HOST:PORT such as"
            + " [api.anthropic.com:443]";
    try {
      if (n instanceof ListNode l) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (Node item : l.items()) {
          endpoints.add(Endpoint.parse(Fields.text(item, fix)));
        }
        return new Network.AllowList(endpoints);
      }
      return Network.parse(Fields.text(n, fix));
    } catch (AgentException.InvalidConfig e) {
      String message = e.getMessage().replaceFirst("^[a-z.]+: ", "");
      int semicolon = message.indexOf("; ");
      throw semicolon < 0
          ? new Fields.Bad(message, fix)
          : new Fields.Bad(message.substring(0, semicolon), message.substring(semicolon + 2));
    }
  }

  private static AgentSandbox.Rest rest(Node n) {
    String fix =
        "write filesystem: read-only (everything else visible, read-only) or filesystem: hidden";
    String t = Fields.text(n, fix);
    return switch (t.strip().toLowerCase(Locale.ROOT)) {
      case "read-only", "readonly" -> AgentSandbox.Rest.READ_ONLY;
      case "hidden" -> AgentSandbox.Rest.HIDDEN;
      default -> throw new Fields.Bad("'" + t + "' is not a filesystem policy", fix);
    };
  }
}
