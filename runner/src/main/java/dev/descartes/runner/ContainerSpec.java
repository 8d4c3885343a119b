package dev.descartes.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs an agent inside a container (Podman, or a Docker-compatible CLI where Podman is absent)
 * instead of directly on the host. The agent keeps every guarantee of a local one: its output
 * streamed and parsed the same way, signals and the stop sequence reaching the agent inside, its
 * exit status, no survivor (the container is removed), its working directory mounted at the same
 * path, its environment passed by name only (never on a command line). The image must already be on
 * the machine: the runner never pulls. Immutable and thread-safe.
 *
 * @param image the image, such as {@code localhost/agents:1}
 * @param mounts host paths made visible inside the container, besides the working directory
 * @param user the user to run as inside ({@code uid[:gid]} or a name the image knows); empty: the
 *     image's default
 * @param network the container's network
 * @param mountWorkingDir whether the agent's working directory is bind-mounted at the same path
 *     (read-write) and used as the container's working directory
 */
public record ContainerSpec(
    String image,
    List<Mount> mounts,
    Optional<String> user,
    Network network,
    boolean mountWorkingDir) {

  /** The container's network. */
  public enum Network {
    /** The engine's default: a private network namespace with outbound access. */
    PRIVATE,
    /** The host's network namespace: the agent reaches servers on the host's 127.0.0.1. */
    HOST,
    /** Only a loopback interface: no network at all. */
    NONE
  }

  /**
   * A bind mount.
   *
   * @param source the host path (absolute, or relative to the agent's working directory)
   * @param target the absolute path inside the container
   * @param readOnly whether the agent can only read it
   */
  public record Mount(Path source, String target, boolean readOnly) {
    /**
     * Checks the mount.
     *
     * @throws AgentException.InvalidConfig if the target is not absolute, or a path has a {@code :}
     */
    public Mount {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
      if (!target.startsWith("/")) {
        throw new AgentException.InvalidConfig(
            "container.mounts",
            "target '"
                + target
                + "' is not absolute; give the path inside the container, such as /data");
      }
      if (target.indexOf(':') >= 0 || source.toString().indexOf(':') >= 0) {
        throw new AgentException.InvalidConfig(
            "container.mounts",
            "'"
                + source
                + "' -> '"
                + target
                + "' contains ':', which the container engine's mount syntax cannot carry; rename the path");
      }
    }

    /**
     * Mounts a host path at the same path inside, read-only.
     *
     * @param source the host path
     * @return the mount
     */
    public static Mount readOnly(Path source) {
      return new Mount(source, source.toAbsolutePath().normalize().toString(), true);
    }
  }

  /**
   * Checks the image name and fills the unset fields with their defaults.
   *
   * @throws AgentException.InvalidConfig if the image name is blank or starts with {@code -}
   */
  public ContainerSpec {
    Objects.requireNonNull(image, "image");
    if (image.isBlank()) {
      throw new AgentException.InvalidConfig(
          "container.image",
          "is empty; name an image already on "
              + "this machine (podman images lists them), such as localhost/agents:1");
    }
    if (image.startsWith("-")) {
      throw new AgentException.InvalidConfig(
          "container.image", "'" + image + "' starts with '-'; " + "give an image name");
    }
    mounts = List.copyOf(Objects.requireNonNullElse(mounts, List.of()));
    user = Objects.requireNonNullElse(user, Optional.empty());
    network = Objects.requireNonNullElse(network, Network.PRIVATE);
  }

  /**
   * A container of {@code image} with the defaults: no extra mount, the image's user, a private
   * network, the working directory mounted.
   *
   * @param image an image already on this machine
   * @return the spec
   * @throws AgentException.InvalidConfig if the image name is blank or starts with {@code -}
   */
  public static ContainerSpec of(String image) {
    return builder(image).build();
  }

  /**
   * Starts a spec from the defaults of {@link #of(String)}.
   *
   * @param image an image already on this machine
   * @return the builder
   */
  public static Builder builder(String image) {
    return new Builder(image);
  }

  /** Builds a {@link ContainerSpec}. Not thread-safe. */
  public static final class Builder {
    private final String image;
    private final List<Mount> mounts = new ArrayList<>();
    private String user;
    private Network network = Network.PRIVATE;
    private boolean mountWorkingDir = true;

    private Builder(String image) {
      this.image = image;
    }

    /**
     * Adds a bind mount.
     *
     * @param source the host path (absolute, or relative to the agent's working directory)
     * @param target the absolute path inside the container
     * @param readOnly whether the agent can only read it
     * @return this builder
     * @throws AgentException.InvalidConfig if the target is not absolute, or a path has a {@code :}
     */
    public Builder mount(Path source, String target, boolean readOnly) {
      mounts.add(new Mount(source, target, readOnly));
      return this;
    }

    /**
     * Adds a bind mount.
     *
     * @param mount the mount
     * @return this builder
     */
    public Builder mount(Mount mount) {
      mounts.add(mount);
      return this;
    }

    /**
     * Sets the user the agent runs as inside the container.
     *
     * @param user a user name or {@code uid[:gid]}; null for the image's default
     * @return this builder
     */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /**
     * Sets the container's network.
     *
     * @param network the network; {@link Network#PRIVATE} by default
     * @return this builder
     */
    public Builder network(Network network) {
      this.network = network;
      return this;
    }

    /**
     * Sets whether the agent's working directory is bind-mounted at the same path and used as the
     * container's working directory; on by default.
     *
     * @param mountWorkingDir whether to mount it
     * @return this builder
     */
    public Builder mountWorkingDir(boolean mountWorkingDir) {
      this.mountWorkingDir = mountWorkingDir;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @return the spec
     * @throws AgentException.InvalidConfig if the image name is blank or starts with {@code -}
     */
    public ContainerSpec build() {
      return new ContainerSpec(image, mounts, Optional.ofNullable(user), network, mountWorkingDir);
    }
  }
}
