package dev.descartes.cli;

import dev.descartes.cli.Node.Scalar;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.ContainerSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code container:} field of a fleet file's agent: the agent runs in a Podman container (see
 * docs/containers.md).
 *
 * <pre>{@code
 * container: localhost/agents:1     # just the image
 * container:
 *   image: localhost/agents:1       # an image on this machine (the runner never pulls)
 *   mounts: [/usr:/usr:ro, ../cache:/cache]   # HOST:CONTAINER[:ro], HOST relative to the file's folder
 *   user: "1000:1000"               # optional: the image's default
 *   network: host                   # private (default) | host | none
 *   mountWorkingDir: true           # the agent's cwd mounted at the same path (default)
 * }</pre>
 */
final class FleetContainer {

  private static final String EXPECTED =
      "write container: IMAGE, or container: with image:, mounts:, user:,"
          + " network: and mountWorkingDir: below it";

  private FleetContainer() {}

  /**
   * The field in {@code f}, or empty when absent; wrong values become problems and read as absent.
   */
  static Optional<ContainerSpec> read(Fields f, Path dir, Problems problems) {
    Optional<Node> node = f.node("container");
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (node.get() instanceof Scalar) {
      return f.text("container", EXPECTED).flatMap(image -> spec(f, image, problems));
    }
    Optional<Fields> c = f.map("container", "container", EXPECTED);
    if (c.isEmpty()) {
      return Optional.empty();
    }
    Fields m = c.get();
    int before = problems.size();
    Optional<String> image =
        m.text(
            "image",
            "name an image on this machine, such as image: localhost/agents:1"
                + " ('podman images' lists them)");
    ContainerSpec.Builder b = ContainerSpec.builder(image.orElse("unset"));
    m.texts(
            "mounts",
            "write mounts: as a list of HOST:CONTAINER[:ro], such as mounts: [/usr:/usr:ro]")
        .ifPresent(l -> l.forEach(s -> mount(m, s, dir, problems).ifPresent(b::mount)));
    m.text("user", "give a user inside the container, such as user: \"1000:1000\", or leave it out")
        .ifPresent(b::user);
    m.get("network", FleetContainer::network).ifPresent(b::network);
    m.bool("mountWorkingDir").ifPresent(b::mountWorkingDir);
    m.done();
    if (image.isEmpty() && problems.size() == before) {
      problems.add(
          Problem.Kind.DATA,
          f.at("container").toString(),
          f.name("container") + " has no image:",
          "add image: with an image on this machine, such as image: localhost/agents:1");
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      return Optional.of(b.build());
    } catch (AgentException.InvalidConfig e) {
      problems.add(
          Problem.Kind.DATA,
          f.at("container").toString(),
          e.getMessage(),
          "fix the container's settings");
      return Optional.empty();
    }
  }

  private static Optional<ContainerSpec> spec(Fields f, String image, Problems problems) {
    try {
      return Optional.of(ContainerSpec.of(image));
    } catch (AgentException.InvalidConfig e) {
      problems.add(
          Problem.Kind.DATA, f.at("container").toString(), e.getMessage(), "name an image");
      return Optional.empty();
    }
  }

  private static Optional<ContainerSpec.Mount> mount(
      Fields m, String text, Path dir, Problems problems) {
    String[] p = text.split(":", -1);
    boolean ro = p.length == 3 && p[2].equals("ro");
    if (p.length < 2
        || p.length > 3
        || p.length == 3 && !ro && !p[2].equals("rw")
        || p[0].isEmpty()
        || !p[1].startsWith("/")) {
      problems.add(
          Problem.Kind.DATA,
          m.at("mounts").toString(),
          m.name("mounts") + ": '" + text + "' is not HOST:CONTAINER[:ro]",
          "write it like ../cache:/cache or /usr:/usr:ro (the container path absolute)");
      return Optional.empty();
    }
    return Optional.of(new ContainerSpec.Mount(dir.resolve(p[0]).normalize(), p[1], ro));
  }

  static ContainerSpec.Network network(Node n) {
    String fix = "write private, host or none";
    String t = Fields.text(n, fix);
    try {
      return ContainerSpec.Network.valueOf(t.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Fields.Bad("'" + t + "' is not a container network", fix);
    }
  }
}
