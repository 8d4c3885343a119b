package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.AgentSandbox.Endpoint;
import dev.descartes.runner.AgentSandbox.Network;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.SandboxAssumptions;
import dev.descartes.runner.testing.TestRunners;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agents in a sandbox, with real processes: what they may write, read and connect to, and that a
 * sandboxed agent still gets its signals, exit status and stop sequence. Skipped with the reason
 * where this machine cannot make a sandbox ({@code descartes doctor} says why).
 */
@ExtendWith(LeakCheck.class)
class SandboxTest {

  Path work;
  Path outside;
  LocalProcessRunner runner;
  final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeAll
  static void sandboxesWorkHere() {
    SandboxAssumptions.assumeSandbox(Network.loopback());
  }

  /**
   * Its own directory outside {@code /tmp}, which every sandbox replaces with a private one: under
   * {@code target}, or under {@code /var/tmp} when the checkout itself lies below {@code /tmp}.
   */
  @BeforeEach
  void setUp() throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    Path parent = target.startsWith(Path.of("/tmp")) ? Path.of("/var/tmp") : target;
    Path base = Files.createTempDirectory(parent, "sandbox-test-");
    work = Files.createDirectory(base.resolve("work"));
    outside = Files.createDirectory(base.resolve("outside"));
    runner = TestRunners.runner();
  }

  @AfterEach
  void tearDown() throws Exception {
    runner.close();
    for (AutoCloseable s : servers) {
      s.close();
    }
    try (var walk = Files.walk(work.getParent())) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** What an agent printed: its stdout lines, then its stderr lines marked {@code stderr: }. */
  private record Run(List<String> lines, ExitStatus exit, AgentHandle handle) {
    List<String> stdout() {
      return lines.stream().filter(l -> !l.startsWith("stderr: ")).toList();
    }
  }

  private Run run(AgentSandbox sandbox, String script) throws InterruptedException {
    return run(
        AgentConfig.builder()
            .name("sandboxed")
            .command("/bin/bash", "-c", script)
            .workingDir(work)
            .sandbox(sandbox));
  }

  private Run run(AgentConfig.Builder config) throws InterruptedException {
    AgentHandle h = runner.spawn(config.build());
    ExitStatus st = h.waitFor(Duration.ofSeconds(60)).orElseThrow();
    List<String> lines = new ArrayList<>();
    Optional<OutputLine> l;
    while ((l = h.stdout().poll()).isPresent()) {
      lines.add(l.get().text());
    }
    while ((l = h.stderr().poll()).isPresent()) {
      lines.add("stderr: " + l.get().text());
    }
    return new Run(lines, st, h);
  }

  /** A server on the host's 127.0.0.1 that answers every connection with one line. */
  private int hostServer(String answer, AtomicInteger connections) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    servers.add(server);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept();
                    OutputStream out = s.getOutputStream()) {
                  connections.incrementAndGet();
                  out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                  return;
                }
              }
            });
    return server.getLocalPort();
  }

  /** bash: prints what 127.0.0.1:port answers, or why it could not connect. */
  private static String connect(String host, int port) {
    return "if exec 3<>/dev/tcp/"
        + host
        + "/"
        + port
        + "; then read -r line <&3; echo \"got $line\"; "
        + "exec 3<&-; else echo 'no connection'; fi 2>&1; ";
  }

  @Test
  void writingOutsideTheWorkingDirectoryFailsWhileTheWorkingDirectoryIsWritable() throws Exception {
    Files.writeString(outside.resolve("readme"), "visible\n");
    Run r =
        run(
            AgentSandbox.defaults(),
            "echo inside > inside.txt && echo wrote-inside; "
                + "cat "
                + outside
                + "/readme; "
                + "if echo x > "
                + outside
                + "/planted 2>/dev/null; then echo wrote-outside; else echo outside-denied; fi; "
                + "if touch /usr/planted 2>/dev/null; then echo wrote-usr; else echo usr-denied; fi");

    assertThat(r.stdout())
        .containsExactly("wrote-inside", "visible", "outside-denied", "usr-denied");
    assertThat(work.resolve("inside.txt")).hasContent("inside");
    assertThat(outside.resolve("planted")).doesNotExist();
    assertThat(r.exit().success()).isTrue();
  }

  @Test
  void aHiddenRestOfTheFilesystemShowsOnlySystemFoldersTheWorkingDirectoryAndNamedPaths()
      throws Exception {
    Files.writeString(outside.resolve("readme"), "named\n");
    Path other = Files.createDirectories(work.getParent().resolve("other"));
    Files.writeString(other.resolve("secret"), "hidden\n");
    Run r =
        run(
            AgentSandbox.builder().hideRestOfFilesystem().readOnly(outside).build(),
            "cat "
                + outside
                + "/readme; cat "
                + other
                + "/secret 2>/dev/null || echo other-hidden; "
                + "test -e /usr/bin/env && echo usr-visible; echo x > mine.txt && echo wrote-work; "
                + "if echo x > "
                + outside
                + "/planted 2>/dev/null; then echo wrote-named; else echo named-read-only; fi");

    assertThat(r.stdout())
        .containsExactly("named", "other-hidden", "usr-visible", "wrote-work", "named-read-only");
    assertThat(work.resolve("mine.txt")).exists();
  }

  @Test
  void theRunnersHomeIsHiddenAndHomeIsANewEmptyFolderRemovedAfterwards() throws Exception {
    Path home = Files.createDirectories(outside.resolve("home"));
    Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(home.resolve(".ssh/id_ed25519"), "PRIVATE-KEY\n");
    Run r =
        run(
            AgentConfig.builder()
                .name("home")
                .workingDir(work)
                .env("HOME", home.toString())
                .sandbox(AgentSandbox.defaults())
                .command(
                    "/bin/bash",
                    "-c",
                    "cat "
                        + home
                        + "/.ssh/id_ed25519 2>/dev/null || echo no-key; "
                        + "echo \"home=$HOME\"; echo \"entries=$(ls -A \"$HOME\" | wc -l)\"; touch \"$HOME/.config\" && echo home-writable"));

    assertThat(r.lines())
        .contains("no-key", "entries=0", "home-writable")
        .noneMatch(l -> l.contains("PRIVATE-KEY"));
    String inside =
        r.lines().stream()
            .filter(l -> l.startsWith("home="))
            .findFirst()
            .orElseThrow()
            .substring(5);
    assertThat(inside).isNotEqualTo(home.toString());
    assertThat(Path.of(inside)).doesNotExist();
  }

  @Test
  void aWorkingDirectoryHoldingTheRunnersHomeIsRefused() throws Exception {
    Path home = Files.createDirectories(outside.resolve("home"));
    assertThatThrownBy(
            () ->
                runner.spawn(
                    AgentConfig.builder()
                        .name("home")
                        .workingDir(outside)
                        .env("HOME", home.toString())
                        .sandbox(AgentSandbox.defaults())
                        .command("/bin/true")
                        .build()))
        .isInstanceOf(AgentException.InvalidConfig.class)
        .hasMessageContaining("holds the runner user's home");
  }

  @Test
  void networkNoneCannotOpenAnySocketNotEvenTo127001() throws Exception {
    SandboxAssumptions.assumeSandbox(Network.none());
    AtomicInteger connections = new AtomicInteger();
    int port = hostServer("host", connections);
    Run r =
        run(
            AgentSandbox.builder().network(Network.none()).build(),
            connect("127.0.0.1", port) + "exec 3<>/dev/udp/127.0.0.1/53 2>&1 || echo no-udp");

    assertThat(r.lines())
        .anyMatch(l -> l.contains("Operation not permitted"))
        .contains("no connection", "no-udp");
    assertThat(connections).hasValue(0);
  }

  @Test
  void networkLoopbackReachesItsOwnLoopbackButNotTheHosts() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/socat")),
        "the server inside the sandbox is socat, "
            + "which is not installed (apt-get install socat)");
    AtomicInteger connections = new AtomicInteger();
    int port = hostServer("host", connections);
    // the same port the host's server has: inside it is free, and answers from inside
    Run r =
        run(
            AgentSandbox.builder().network(Network.loopback()).build(),
            connect("127.0.0.1", port)
                + "socat TCP-LISTEN:"
                + port
                + ",bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo inside' & S=$!; "
                + "for i in $(seq 200); do if (exec 3<>/dev/tcp/127.0.0.1/"
                + port
                + ") 2>/dev/null; then break; fi; sleep 0.05; done; "
                + connect("127.0.0.1", port)
                + "kill $S; wait");

    assertThat(r.lines()).contains("no connection", "got inside").doesNotContain("got host");
    assertThat(connections).hasValue(0);
  }

  @Test
  void anAllowListReachesTheListedPortOnTheHostAndNothingElse() throws Exception {
    SandboxAssumptions.assumeSandbox(Network.allow(new Endpoint("127.0.0.1", 9)));
    AtomicInteger allowedHits = new AtomicInteger();
    AtomicInteger otherHits = new AtomicInteger();
    int allowed = hostServer("allowed", allowedHits);
    int other = hostServer("other", otherHits);
    Run r =
        run(
            AgentSandbox.builder()
                .network(Network.allow(new Endpoint("127.0.0.1", allowed)))
                .build(),
            connect("127.0.0.1", allowed)
                + connect("127.0.0.1", other)
                + connect("10.255.255.1", 80));

    assertThat(r.lines()).containsSubsequence("got allowed", "no connection", "no connection");
    assertThat(allowedHits).hasValue(1);
    assertThat(otherHits).hasValue(0);
  }

  @Test
  void aSandboxedAgentGetsTheInterruptItselfAndReportsItsOwnExitCode() throws Exception {
    AgentHandle h =
        runner.spawn(
            AgentConfig.builder()
                .name("trap")
                .workingDir(work)
                .sandbox(AgentSandbox.defaults())
                .command(
                    "/bin/bash",
                    "-c",
                    "trap 'echo got-int; exit 4' INT; echo ready; sleep 300 & wait")
                .build());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.stdout().poll().map(l -> l.text().equals("ready")).orElse(false));

    h.signal(AgentSignal.INTERRUPT);

    ExitStatus st = h.waitFor(Duration.ofSeconds(30)).orElseThrow();
    assertThat(st).isEqualTo(ExitStatus.exited(4));
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
    assertThat(h.stdout().poll().map(OutputLine::text)).contains("got-int");
  }

  @Test
  void aSandboxedAgentThatIgnoresTheStopSequenceIsKilledWithNoSurvivor() throws Exception {
    AgentHandle h =
        runner.spawn(
            AgentConfig.builder()
                .name("stubborn")
                .workingDir(work)
                .sandbox(AgentSandbox.defaults())
                .command(
                    "/bin/bash",
                    "-c",
                    "trap '' INT TERM; (trap '' INT TERM; sleep 300) & echo ready; wait")
                .build());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.stdout().poll().map(l -> l.text().equals("ready")).orElse(false));

    ExitStatus st = new GracefulShutdown(Duration.ofMillis(300)).shutdown(h);

    assertThat(st).isEqualTo(ExitStatus.signalled(9));
    assertThat(h.status()).isEqualTo(AgentStatus.TERMINATED);
  }
}
