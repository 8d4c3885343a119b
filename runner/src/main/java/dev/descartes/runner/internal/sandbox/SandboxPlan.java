package dev.descartes.runner.internal.sandbox;

import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentSandbox;
import dev.descartes.runner.AgentSandbox.Endpoint;
import dev.descartes.runner.AgentSandbox.Network;
import dev.descartes.runner.internal.os.Platform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One agent's sandbox, checked but not yet set up: {@link #check} finds every missing piece before
 * anything is created, {@link #open()} creates the agent's private folder (its {@code HOME}, the
 * forwarders' sockets, the seccomp program) and returns the bubblewrap command line that wraps the
 * agent's own. Immutable and thread-safe.
 */
public final class SandboxPlan {

  /** Host names of an allow-list resolve inside the sandbox to addresses of this private block. */
  private static final String NAMED_BLOCK = "127.77.0.";

  private static final List<String> SYSTEM_DIRS =
      List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc");
  private static final String INSIDE_NET = "/run/descartes-net";
  private static final String FORWARD_SCRIPT =
      """
      socat=$1; n=$2; shift 2; i=0
      while [ "$i" -lt "$n" ]; do
        "$socat" "TCP-LISTEN:$2,bind=$1,fork,reuseaddr" "UNIX-CONNECT:$3" </dev/null &
        shift 3; i=$((i+1))
      done
      tries=0
      while [ "$(grep -c '^ *[0-9]*: [0-9A-F]*:[0-9A-F]* 00000000:0000 0A ' /proc/net/tcp)" -lt "$n" ]; do
        tries=$((tries+1))
        if [ "$tries" -gt 2000 ]; then
          echo "descartes sandbox: the network forwarders did not start (socat failed)" >&2; exit 125
        fi
        sleep 0.005
      done
      exec "$@"
      """;

  /** One allow-listed endpoint: where the agent connects inside, and where the runner goes. */
  private record Forward(String insideAddress, Endpoint target) {}

  private final AgentSandbox sandbox;
  private final Path bwrap;
  private final Path shell;
  private final Optional<Path> socat;
  private final List<String> argv;
  private final Map<String, String> environment;
  private final Path workingDir;
  private final List<Path> hiddenHomes;
  private final List<Forward> forwards;
  private final Map<String, String> hosts;

  private SandboxPlan(
      AgentSandbox sandbox,
      Path bwrap,
      Path shell,
      Optional<Path> socat,
      List<String> argv,
      Map<String, String> environment,
      Path workingDir,
      List<Path> hiddenHomes,
      List<Forward> forwards,
      Map<String, String> hosts) {
    this.sandbox = sandbox;
    this.bwrap = bwrap;
    this.shell = shell;
    this.socat = socat;
    this.argv = List.copyOf(argv);
    this.environment = Map.copyOf(environment);
    this.workingDir = workingDir;
    this.hiddenHomes = hiddenHomes;
    this.forwards = forwards;
    this.hosts = hosts;
  }

  /**
   * Checks that {@code sandbox} can be set up here for a command line {@code argv} (an absolute
   * program first) run in {@code cwd} with {@code env}.
   *
   * @throws AgentException.SandboxUnavailable naming what is missing and how to get it
   * @throws AgentException.InvalidConfig for a path that does not exist or an endpoint that cannot
   *     be forwarded
   */
  public static SandboxPlan check(
      AgentSandbox sandbox, List<String> argv, Map<String, String> env, Path cwd) {
    if (!Platform.isLinux()) {
      throw new AgentException.SandboxUnavailable(
          "linux",
          "sandboxes need Linux namespaces, and this "
              + "is "
              + System.getProperty("os.name")
              + "; run the agent without a sandbox, or on Linux");
    }
    Path bwrap =
        Programs.find("bwrap")
            .orElseThrow(
                () ->
                    new AgentException.SandboxUnavailable(
                        "bwrap",
                        "the sandbox needs bubblewrap (bwrap), which is not installed; install it with "
                            + "'apt-get install bubblewrap' (Debian, Ubuntu) or 'dnf install bubblewrap' (Fedora)"));
    Programs.Probe probe =
        Programs.probe(
            List.of(bwrap.toString(), "--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"));
    if (!probe.ok()) {
      throw new AgentException.SandboxUnavailable(
          "user namespaces",
          "bubblewrap cannot create "
              + "namespaces on this machine ("
              + probe.firstLine()
              + "); allow unprivileged user "
              + "namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu "
              + "kernel.apparmor_restrict_unprivileged_userns=0), or run the runner as root");
    }
    Path shell =
        Programs.find("sh")
            .orElseThrow(
                () ->
                    new AgentException.SandboxUnavailable(
                        "sh", "the sandbox needs a POSIX shell (sh) on the runner's PATH"));
    for (List<Path> paths : List.of(sandbox.readOnlyPaths(), sandbox.readWritePaths())) {
      for (Path p : paths) {
        mustExist("sandbox paths", p);
      }
    }
    sandbox.home().ifPresent(h -> mustExist("sandbox.home", h));
    Optional<Path> socat = Optional.empty();
    List<Forward> forwards = new ArrayList<>();
    Map<String, String> hosts = new LinkedHashMap<>();
    switch (sandbox.network()) {
      case Network.None none -> {
        if (SeccompFilter.denyInetSockets().isEmpty()) {
          throw new AgentException.SandboxUnavailable(
              "seccomp",
              "network none needs a seccomp program "
                  + "for this architecture ("
                  + System.getProperty("os.arch")
                  + "), and the runner has "
                  + "one for x86_64 and aarch64 only; use loopback instead");
        }
      }
      case Network.AllowList list -> {
        socat =
            Optional.of(
                Programs.find("socat")
                    .orElseThrow(
                        () ->
                            new AgentException.SandboxUnavailable(
                                "socat",
                                "a network allow-list needs socat inside the sandbox to forward the allowed "
                                    + "ports, and it is not installed; install it with 'apt-get install socat' "
                                    + "(Debian, Ubuntu) or 'dnf install socat' (Fedora)")));
        planForwards(list.endpoints(), forwards, hosts);
      }
      case Network.Loopback loopback -> {}
      case Network.Host host -> {}
    }
    List<Path> hiddenHomes = new ArrayList<>();
    for (String h : new String[] {env.get("HOME"), System.getProperty("user.home")}) {
      if (h != null && !h.isBlank() && Path.of(h).isAbsolute()) {
        Path p = Path.of(h).normalize();
        if (p.getNameCount() > 0 && Files.isDirectory(p) && !hiddenHomes.contains(p)) {
          hiddenHomes.add(p);
        }
      }
    }
    for (Path home : hiddenHomes) {
      if (home.startsWith(cwd)) {
        throw new AgentException.InvalidConfig(
            "workingDir",
            cwd
                + " holds the runner user's home ("
                + home
                + "), with its keys and tokens, and a sandbox's working directory is writable; give the agent a "
                + "project folder as its working directory");
      }
    }
    return new SandboxPlan(
        sandbox, bwrap, shell, socat, argv, env, cwd, hiddenHomes, forwards, hosts);
  }

  private static void mustExist(String field, Path p) {
    if (!Files.exists(p)) {
      throw new AgentException.InvalidConfig(
          field, p + " does not exist; create it or remove it " + "from the sandbox");
    }
  }

  private static void planForwards(
      List<Endpoint> endpoints, List<Forward> forwards, Map<String, String> hosts) {
    Set<String> seen = new LinkedHashSet<>();
    for (Endpoint e : endpoints) {
      String inside;
      if (e.host().equalsIgnoreCase("localhost")) {
        inside = "127.0.0.1";
      } else if (isIpLiteral(e.host())) {
        if (!isLoopbackV4(e.host())) {
          throw new AgentException.InvalidConfig(
              "sandbox.network",
              "allow-list entry "
                  + e
                  + " is an "
                  + "IP address outside 127.0.0.0/8; name the host by its DNS name (the sandbox resolves "
                  + "it to a private address that leads there) or use network host");
        }
        inside = e.host();
      } else {
        String key = e.host().toLowerCase(java.util.Locale.ROOT);
        inside = hosts.computeIfAbsent(key, k -> NAMED_BLOCK + (hosts.size() + 1));
      }
      if (seen.add(inside + ":" + e.port())) {
        forwards.add(new Forward(inside, e));
      }
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }

  private static boolean isLoopbackV4(String host) {
    try {
      return host.matches("[0-9.]+") && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Creates the agent's private folder and forwarders and returns the command line to start.
   *
   * @throws IOException if the folder or a socket cannot be created (nothing is left behind)
   */
  public OpenSandbox open() throws IOException {
    Path dir =
        Files.createTempDirectory(
            "descartes-sandbox-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    List<AutoCloseable> resources = new ArrayList<>();
    OpenSandbox opened = new OpenSandbox(dir, resources);
    try {
      Map<String, String> env = new HashMap<>(environment);
      List<String> args = new ArrayList<>();
      List<String> prefix = new ArrayList<>();
      args.add(bwrap.toString());
      args.add("--unshare-all");
      if (sandbox.network() instanceof Network.Host) {
        args.add("--share-net");
      }
      args.addAll(List.of("--die-with-parent", "--cap-drop", "ALL"));
      if (forwards.stream().anyMatch(f -> f.target().port() < 1024)) {
        // socat binds the allowed low port inside; the capability reaches only this private network
        args.addAll(List.of("--cap-add", "CAP_NET_BIND_SERVICE"));
      }
      mounts(args, dir, env);
      if (sandbox.network() instanceof Network.None) {
        Path filter = dir.resolve("seccomp.bpf");
        Files.write(filter, SeccompFilter.denyInetSockets().orElseThrow());
        // bwrap reads the program from a descriptor: the shell opens it as fd 3 and execs bwrap
        prefix.addAll(List.of(shell.toString(), "-c", "exec \"$@\" 3<\"$0\"", filter.toString()));
        args.addAll(List.of("--seccomp", "3"));
      }
      args.add("--");
      if (!forwards.isEmpty()) {
        Path net = Files.createDirectory(dir.resolve("net"));
        args.addAll(
            List.of(
                shell.toString(),
                "-c",
                FORWARD_SCRIPT,
                "descartes-forward",
                socat.orElseThrow().toString(),
                Integer.toString(forwards.size())));
        for (int i = 0; i < forwards.size(); i++) {
          Forward f = forwards.get(i);
          resources.add(new PortForwarder(f.target(), net.resolve(i + ".sock")));
          args.addAll(
              List.of(
                  f.insideAddress(),
                  Integer.toString(f.target().port()),
                  INSIDE_NET + "/" + i + ".sock"));
        }
      }
      args.add(program().toString());
      args.addAll(argv.subList(1, argv.size()));
      prefix.addAll(args);
      opened.launch(prefix, env);
      return opened;
    } catch (IOException | RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /** The mounts, shallower paths first so that a deeper one wins over its ancestor's. */
  private void mounts(List<String> args, Path dir, Map<String, String> env) throws IOException {
    if (sandbox.rest() == AgentSandbox.Rest.READ_ONLY) {
      args.addAll(List.of("--ro-bind", "/", "/"));
    } else {
      for (String d : SYSTEM_DIRS) {
        Path p = Path.of(d);
        if (Files.isSymbolicLink(p)) {
          args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), d));
        } else if (Files.isDirectory(p)) {
          args.addAll(List.of("--ro-bind", d, d));
        }
      }
    }
    args.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run"));
    record Mount(String op, Path path) {}
    List<Mount> ops = new ArrayList<>();
    for (Path h : hiddenHomes) {
      ops.add(new Mount("--tmpfs", h));
    }
    // mount points are real paths: bubblewrap cannot create one below a symbolic link
    ops.add(new Mount("--ro-bind", program().getParent()));
    for (Path p : sandbox.readOnlyPaths()) {
      ops.add(new Mount("--ro-bind", p.toRealPath()));
    }
    for (Path p : sandbox.readWritePaths()) {
      ops.add(new Mount("--bind", p.toRealPath()));
    }
    ops.add(new Mount("--bind", workingDir.toRealPath()));
    Path home = sandbox.home().orElse(null);
    if (home == null) {
      home = Files.createDirectory(dir.resolve("home"));
    }
    home = home.toRealPath();
    ops.add(new Mount("--bind", home));
    env.put("HOME", home.toString());
    List<Mount> sorted = new ArrayList<>(ops);
    sorted.sort(Comparator.comparingInt(m -> m.path().getNameCount()));
    for (Mount m : sorted) {
      if (m.op().equals("--tmpfs")) {
        args.addAll(List.of("--tmpfs", m.path().toString()));
      } else {
        args.addAll(List.of(m.op(), m.path().toString(), m.path().toString()));
      }
    }
    if (!forwards.isEmpty()) {
      args.addAll(List.of("--ro-bind", dir.resolve("net").toString(), INSIDE_NET));
      if (!hosts.isEmpty()) {
        StringBuilder text =
            new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        hosts.forEach(
            (name, address) -> text.append(address).append('\t').append(name).append('\n'));
        Path file = Files.writeString(dir.resolve("hosts"), text);
        args.addAll(List.of("--ro-bind", file.toString(), "/etc/hosts"));
      }
    }
    args.addAll(List.of("--chdir", workingDir.toRealPath().toString()));
  }

  /** The agent's program, by its real path (a symbolic link to it may not be inside). */
  private Path program() throws IOException {
    return Path.of(argv.getFirst()).toRealPath();
  }
}
