package dev.descartes.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an agent may read, write and connect: it runs in its own user, mount, PID, network, IPC and
 * UTS namespaces (through bubblewrap), with no new privileges and no capabilities.
 *
 * <p>Filesystem: the working directory is read-write; {@link #readWritePaths()} and {@link
 * #readOnlyPaths()} are mounted as named; the rest of the filesystem is either read-only ({@link
 * Rest#READ_ONLY}, the default) or hidden ({@link Rest#HIDDEN}: only the system directories and the
 * agent's program remain, read-only). {@code /tmp} and {@code /run} are private and empty. The
 * runner user's home directory is always hidden, and {@code HOME} is a new empty directory that is
 * removed after the agent ends, unless {@link #home()} names one (mounted read-write).
 *
 * <p>Network: see {@link Network}. A sandbox that cannot be set up as asked fails the spawn with
 * {@link AgentException.SandboxUnavailable}; an agent never runs with less isolation than asked.
 * Immutable and thread-safe.
 *
 * @param rest what the agent sees of the filesystem outside the named paths
 * @param readOnlyPaths paths mounted read-only (absolute, existing)
 * @param readWritePaths paths mounted read-write besides the working directory (absolute, existing)
 * @param home the directory mounted as {@code HOME}; empty for a new empty one per agent
 * @param network what the agent may connect to
 */
public record AgentSandbox(
    Rest rest,
    List<Path> readOnlyPaths,
    List<Path> readWritePaths,
    Optional<Path> home,
    Network network) {

  /** What the agent sees of the filesystem outside its working directory and named paths. */
  public enum Rest {
    /** Everything, read-only (the runner user's home excepted, which is hidden). */
    READ_ONLY,
    /**
     * Only {@code /usr}, {@code /bin}, {@code /sbin}, {@code /lib*}, {@code /etc} and the folder
     * the agent's program is installed in, read-only.
     */
    HIDDEN
  }

  /**
   * What an agent may connect to. {@link None}: no IP socket at all (creating one fails); {@link
   * Loopback}: a private loopback of its own, nothing of the host's; {@link Host}: the host's
   * network, unrestricted; {@link AllowList}: only the listed host:port pairs, each forwarded by
   * the runner (a host name resolves inside the sandbox to a private loopback address that leads to
   * it), and nothing else. Immutable and thread-safe.
   */
  public sealed interface Network {

    /** No IP networking: creating an IPv4 or IPv6 socket fails with {@code EPERM}. */
    record None() implements Network {
      @Override
      public String toString() {
        return "none";
      }
    }

    /** A private loopback interface only: the host's 127.0.0.1 is unreachable. */
    record Loopback() implements Network {
      @Override
      public String toString() {
        return "loopback";
      }
    }

    /** The host's network, unrestricted. */
    record Host() implements Network {
      @Override
      public String toString() {
        return "host";
      }
    }

    /**
     * Only these endpoints.
     *
     * @param endpoints the host:port pairs the agent may connect to (at least one)
     */
    record AllowList(List<Endpoint> endpoints) implements Network {
      /**
       * Copies the endpoints.
       *
       * @throws AgentException.InvalidConfig if there is none
       */
      public AllowList {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
          throw new AgentException.InvalidConfig(
              "sandbox.network",
              "an allow-list names no endpoint; " + "give at least one HOST:PORT, or use none");
        }
      }

      @Override
      public String toString() {
        return "allow=" + String.join(",", endpoints.stream().map(Endpoint::toString).toList());
      }
    }

    /** {@return no IP networking} */
    static Network none() {
      return new None();
    }

    /** {@return a private loopback only} */
    static Network loopback() {
      return new Loopback();
    }

    /** {@return the host's network, unrestricted} */
    static Network host() {
      return new Host();
    }

    /**
     * Only these endpoints.
     *
     * @param endpoints the host:port pairs the agent may connect to (at least one)
     * @return the allow-list
     * @throws AgentException.InvalidConfig if there is none
     */
    static Network allow(Endpoint... endpoints) {
      return new AllowList(List.of(endpoints));
    }

    /**
     * Parses {@code none}, {@code loopback}, {@code host} or {@code allow=HOST:PORT,...}.
     *
     * @param text the policy, case-insensitive for the first three
     * @return the network policy
     * @throws AgentException.InvalidConfig naming what is wrong
     */
    static Network parse(String text) {
      String t = text.strip();
      switch (t.toLowerCase(Locale.ROOT)) {
        case "none" -> {
          return none();
        }
        case "loopback" -> {
          return loopback();
        }
        case "host" -> {
          return host();
        }
        default -> {}
      }
      if (!t.startsWith("allow=")) {
        throw new AgentException.InvalidConfig(
            "network",
            "'"
                + t
                + "' is not a network policy; use "
                + "none, loopback, host or allow=HOST:PORT,...");
      }
      List<Endpoint> list = new ArrayList<>();
      for (String part : t.substring("allow=".length()).split(",")) {
        if (!part.isBlank()) {
          list.add(Endpoint.parse(part));
        }
      }
      return new AllowList(list);
    }
  }

  /**
   * One host and TCP port an agent may reach.
   *
   * @param host a host name or an IP address (an IPv6 address in brackets when parsed)
   * @param port 1 to 65535
   */
  public record Endpoint(String host, int port) {
    /**
     * Checks the host and port.
     *
     * @throws AgentException.InvalidConfig if the host is blank or has a space, {@code /} or {@code
     *     ,}, or the port is out of range
     */
    public Endpoint {
      Objects.requireNonNull(host, "host");
      if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == ',')) {
        throw new AgentException.InvalidConfig(
            "sandbox.network",
            "'"
                + host
                + "' is not a host name "
                + "or address; give one such as api.anthropic.com or 127.0.0.1");
      }
      if (port < 1 || port > 65535) {
        throw new AgentException.InvalidConfig(
            "sandbox.network",
            "port " + port + " of " + host + " is out of range; give 1 to 65535");
      }
    }

    /**
     * Parses {@code HOST:PORT} ({@code [IPv6]:PORT} for an IPv6 address).
     *
     * @param text the endpoint
     * @return the endpoint
     * @throws AgentException.InvalidConfig naming what is wrong
     */
    public static Endpoint parse(String text) {
      String t = text.strip();
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || colon == t.length() - 1) {
        throw new AgentException.InvalidConfig(
            "sandbox.network",
            "'" + t + "' is not HOST:PORT; " + "write it like api.anthropic.com:443");
      }
      String host = t.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new Endpoint(host, Integer.parseInt(t.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new AgentException.InvalidConfig(
            "sandbox.network",
            "'"
                + t
                + "' has no port number "
                + "after the colon; write it like api.anthropic.com:443");
      }
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Checks and normalizes the paths.
   *
   * @throws NullPointerException if {@code rest} or {@code network} is null
   * @throws AgentException.InvalidConfig if a path is relative
   */
  public AgentSandbox {
    Objects.requireNonNull(rest, "rest");
    Objects.requireNonNull(network, "network");
    readOnlyPaths = checked("readOnlyPaths", readOnlyPaths);
    readWritePaths = checked("readWritePaths", readWritePaths);
    home = Objects.requireNonNullElse(home, Optional.empty());
    home.ifPresent(h -> checked("home", List.of(h)));
  }

  private static List<Path> checked(String field, List<Path> paths) {
    List<Path> out = new ArrayList<>();
    for (Path p : Objects.requireNonNullElse(paths, List.<Path>of())) {
      if (!p.isAbsolute()) {
        throw new AgentException.InvalidConfig(
            "sandbox." + field, p + " is relative; give an absolute " + "path");
      }
      out.add(p.normalize());
    }
    return List.copyOf(out);
  }

  /**
   * {@return the default sandbox: the rest of the filesystem read-only, a new empty {@code HOME},
   * and a private loopback as the only network}
   */
  public static AgentSandbox defaults() {
    return builder().build();
  }

  /** {@return a builder starting from {@link #defaults()}} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding this sandbox's values} */
  public Builder toBuilder() {
    Builder b = new Builder().rest(rest).network(network);
    readOnlyPaths.forEach(b::readOnly);
    readWritePaths.forEach(b::readWrite);
    home.ifPresent(b::home);
    return b;
  }

  /** Builds an {@link AgentSandbox}. Not thread-safe. */
  public static final class Builder {
    private Rest rest = Rest.READ_ONLY;
    private final List<Path> readOnly = new ArrayList<>();
    private final List<Path> readWrite = new ArrayList<>();
    private Path home;
    private Network network = Network.loopback();

    private Builder() {}

    /**
     * Sets what the agent sees of the filesystem outside the named paths.
     *
     * @param rest {@link Rest#READ_ONLY} (the default) or {@link Rest#HIDDEN}
     * @return this builder
     */
    public Builder rest(Rest rest) {
      this.rest = Objects.requireNonNull(rest, "rest");
      return this;
    }

    /**
     * Hides the filesystem outside the system directories and named paths ({@link Rest#HIDDEN}).
     *
     * @return this builder
     */
    public Builder hideRestOfFilesystem() {
      return rest(Rest.HIDDEN);
    }

    /**
     * Mounts {@code path} read-only.
     *
     * @param path an absolute, existing path
     * @return this builder
     */
    public Builder readOnly(Path path) {
      readOnly.add(Objects.requireNonNull(path, "path"));
      return this;
    }

    /**
     * Mounts {@code path} read-write.
     *
     * @param path an absolute, existing path
     * @return this builder
     */
    public Builder readWrite(Path path) {
      readWrite.add(Objects.requireNonNull(path, "path"));
      return this;
    }

    /**
     * Mounts {@code home} read-write as {@code HOME} instead of a new empty one.
     *
     * @param home an absolute, existing directory; null for a new empty one
     * @return this builder
     */
    public Builder home(Path home) {
      this.home = home;
      return this;
    }

    /**
     * Sets what the agent may connect to.
     *
     * @param network the policy; {@link Network#loopback()} by default
     * @return this builder
     */
    public Builder network(Network network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    /**
     * Builds the sandbox.
     *
     * @return the sandbox
     * @throws AgentException.InvalidConfig if a path is relative
     */
    public AgentSandbox build() {
      return new AgentSandbox(rest, readOnly, readWrite, Optional.ofNullable(home), network);
    }
  }
}
