package dev.descartes.runner.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.descartes.runner.ExitStatus;
import dev.descartes.runner.internal.os.ProcFs;
import dev.descartes.runner.internal.os.ProcStat;
import dev.descartes.runner.internal.os.ProcessTree;
import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The native engine on its own: real processes, pipes and signals, no runner around it. */
@ExtendWith(LeakCheck.class)
class NativeEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);

  @TempDir Path dir;

  private NativeProcessEngine engine;
  private final List<ChildProcess> started = new ArrayList<>();

  @BeforeEach
  void createEngine() throws IOException {
    engine = new NativeProcessEngine();
  }

  @AfterEach
  void closeEngine() {
    for (ChildProcess c : started) {
      if (!c.onExit().isDone()) {
        ProcessHandle.of(c.pid()).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    engine.close();
  }

  private record Started(
      ChildProcess child, CollectingSink out, CollectingSink err, String cookie) {
    ExitStatus exit() throws Exception {
      return child.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until the child ({@code cat}) echoes a line: its exec has completed. {@code posix_spawn}
   * returns once the child has left the parent's memory, a moment before the kernel closes its
   * close-on-exec descriptors and sets up its environment.
   */
  private static void awaitExecDone(Started s) throws IOException {
    s.child().writeStdin("exec done\n".getBytes(StandardCharsets.UTF_8));
    await().atMost(WAIT).until(() -> s.out().text().contains("exec done\n"));
  }

  private Started start(List<String> argv) throws IOException {
    return start(argv, Map.of());
  }

  private Started start(List<String> argv, Map<String, String> extraEnv) throws IOException {
    return start(argv, extraEnv, new CollectingSink(), new CollectingSink());
  }

  private Started start(
      List<String> argv, Map<String, String> extraEnv, CollectingSink out, CollectingSink err)
      throws IOException {
    String cookie = "DESCARTES_AGENT_ID=" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("PATH", System.getenv("PATH"));
    env.put("DESCARTES_AGENT_ID", cookie.substring(cookie.indexOf('=') + 1));
    ChildProcess c = engine.start(new LaunchRequest(argv, env, dir, out, err));
    started.add(c);
    c.startOutput();
    return new Started(c, out, err, cookie);
  }

  @Test
  void reportsTheExitCodeAndLeavesNoZombie() throws Exception {
    Started s = start(Scripts.shell("exit 7"));
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(7));
    assertThat(s.child().reportsSignalsExactly()).isTrue();
    assertThat(ProcFs.stat(s.child().pid())).isEmpty();
  }

  @Test
  void reportsADeathBySignalAsThatSignal() throws Exception {
    assertThat(start(Scripts.shell("kill -KILL $$")).exit()).isEqualTo(ExitStatus.signalled(9));
    assertThat(start(Scripts.shell("kill -TERM $$")).exit()).isEqualTo(ExitStatus.signalled(15));
  }

  @Test
  void startsTheChildAsLeaderOfANewSessionAndProcessGroup() throws Exception {
    Started s = start(List.of("/bin/cat"));
    ProcStat st = ProcFs.stat(s.child().pid()).orElseThrow();
    long self = ProcessHandle.current().pid();
    assertThat(st.sid()).isEqualTo(s.child().pid());
    assertThat(st.pgid()).isEqualTo(s.child().pid());
    assertThat(st.ppid()).isEqualTo(self);
    s.child().closeStdin();
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void startsTheChildWithDefaultSignalsAnEmptyMaskAndOnlyDescriptorsZeroToTwo() throws Exception {
    Started s = start(List.of("/bin/cat"));
    long pid = s.child().pid();
    awaitExecDone(s);
    Map<String, String> status =
        Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
            .filter(l -> l.startsWith("Sig"))
            .collect(
                Collectors.toMap(
                    l -> l.substring(0, l.indexOf(':')),
                    l -> l.substring(l.indexOf(':') + 1).trim()));
    assertThat(status.get("SigBlk")).isEqualTo("0000000000000000");
    // glibc's posix_spawn leaves its two internal signals (32, 33) ignored, as in every child the
    // JDK starts too; the child's own glibc takes them back at start-up. Nothing else may be
    // ignored.
    long ignored = Long.parseUnsignedLong(status.get("SigIgn"), 16);
    assertThat(ignored & ~GLIBC_INTERNAL_SIGNALS).isZero();
    TreeSet<String> fds = new TreeSet<>(Arrays.asList(new File("/proc/" + pid + "/fd").list()));
    assertThat(fds).containsExactly("0", "1", "2");
    s.child().closeStdin();
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void runsInTheRequestedDirectoryWithExactlyTheRequestedEnvironment() throws Exception {
    Started s = start(List.of("/bin/cat"), Map.of("ONLY_THIS", "value with spaces=and equals"));
    long pid = s.child().pid();
    awaitExecDone(s);
    assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")))
        .isEqualTo(dir.toRealPath());
    String environ =
        new String(
            Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
    assertThat(new TreeSet<>(Arrays.asList(environ.split("\0"))))
        .containsExactlyInAnyOrder(
            "ONLY_THIS=value with spaces=and equals", "PATH=" + System.getenv("PATH"), s.cookie());
    s.child().closeStdin();
    s.exit();
  }

  @Test
  void readsIntoTheMemoryASinkLendsAndNeverOutsideIt() throws Exception {
    CollectingSink out = CollectingSink.lending(1000);
    CollectingSink err = CollectingSink.lending(7);
    Started s = start(Scripts.shell("seq 1 100000; echo err line >&2"), Map.of(), out, err);
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 100_000; i++) {
      expected.append(i).append('\n');
    }
    assertThat(out.awaitEnd()).isEqualTo(expected.toString());
    assertThat(err.awaitEnd()).isEqualTo("err line\n");
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
    assertThat(out.misuse()).isEmpty();
    assertThat(err.misuse()).isEmpty();
    assertThat(out.readsIntoLent()).isGreaterThanOrEqualTo(expected.length() / 1000);
    assertThat(err.readsIntoLent()).isEqualTo(2); // "err lin", "e\n"
  }

  @Test
  void aSinkThatFailsToLendMemoryStillGetsEveryByte() throws Exception {
    CollectingSink out = CollectingSink.failingToLend();
    Started s = start(Scripts.shell("seq 1 20000"), Map.of(), out, new CollectingSink());
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      expected.append(i).append('\n');
    }
    assertThat(out.awaitEnd()).isEqualTo(expected.toString());
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
    assertThat(out.lends()).as("the engine asked before each read").isPositive();
  }

  @Test
  void deliversStdoutAndStderrSeparatelyWithOneEndEach() throws Exception {
    Started s = start(Scripts.shell("echo out; echo err >&2; echo more"));
    assertThat(s.out().awaitEnd()).isEqualTo("out\nmore\n");
    assertThat(s.err().awaitEnd()).isEqualTo("err\n");
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
    assertThat(s.out().endCalls()).isEqualTo(1);
    assertThat(s.err().endCalls()).isEqualTo(1);
    assertThat(s.out().overlapped()).isFalse();
  }

  @Test
  void deliversLargeOutputCompleteAndInOrder() throws Exception {
    Started s = start(List.of("seq", "1", "300000"));
    String expected =
        IntStream.rangeClosed(1, 300000)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));
    assertThat(s.out().awaitEnd()).isEqualTo(expected);
    assertThat(s.out().overlapped()).isFalse();
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void roundTripsStdinLargerThanThePipe() throws Exception {
    Started s = start(List.of("/bin/cat"));
    byte[] data = new byte[3 << 20];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) ('a' + i % 26);
    }
    s.child().writeStdin(data);
    s.child().writeStdin("tail\n".getBytes(StandardCharsets.UTF_8));
    s.child().closeStdin();
    assertThat(s.child().isStdinOpen()).isFalse();
    assertThat(s.out().awaitEnd()).isEqualTo(new String(data, StandardCharsets.UTF_8) + "tail\n");
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void aWriterBlockedOnAFullStdinDoesNotStallOtherAgents() throws Exception {
    Started deaf = start(Scripts.shell("exec sleep 600"));
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(
            () -> {
              try {
                deaf.child().writeStdin(new byte[4 << 20]);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            command -> Thread.ofVirtual().start(command));
    Started echo = start(List.of("/bin/cat"));
    echo.child().writeStdin("still flowing\n".getBytes(StandardCharsets.UTF_8));
    echo.child().closeStdin();
    assertThat(echo.out().awaitEnd()).isEqualTo("still flowing\n");
    assertThat(blocked).isNotDone();
    deaf.child().closeStdin();
    assertThatThrownBy(() -> blocked.get(30, TimeUnit.SECONDS))
        .hasRootCauseMessage("stdin is closed");
    ProcessHandle.of(deaf.child().pid()).orElseThrow().destroyForcibly();
    assertThat(deaf.exit()).isEqualTo(ExitStatus.signalled(9));
  }

  @Test
  void writingAfterCloseFailsAndTheChildReadsEndOfFile() throws Exception {
    Started s = start(List.of("/bin/cat"));
    s.child().closeStdin();
    s.child().closeStdin();
    assertThatThrownBy(() -> s.child().writeStdin(new byte[] {1}))
        .isInstanceOf(IOException.class)
        .hasMessage("stdin is closed");
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void writingToAnAgentThatExitedFailsWithBrokenPipe() throws Exception {
    Started s = start(List.of("/bin/true"));
    s.exit();
    assertThatThrownBy(() -> s.child().writeStdin(new byte[] {1}))
        .isInstanceOf(IOException.class)
        .hasMessage("Broken pipe");
  }

  @Test
  void aSlowSinkDoesNotStallOtherAgentsAndHoldsItsAgentBack() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstChunk = new CountDownLatch(1);
    CollectingSink slowBytes = new CollectingSink();
    OutputSink slow =
        new OutputSink() {
          @Override
          public void data(byte[] buf, int off, int len) {
            firstChunk.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            slowBytes.data(buf, off, len);
          }

          @Override
          public void end() {
            slowBytes.end();
          }
        };
    int total = 4_000_000;
    Map<String, String> env =
        Map.of("PATH", System.getenv("PATH"), "DESCARTES_AGENT_ID", UUID.randomUUID().toString());
    ChildProcess chatty =
        engine.start(
            new LaunchRequest(
                List.of("head", "-c", Integer.toString(total), "/dev/zero"),
                env,
                dir,
                slow,
                new CollectingSink()));
    started.add(chatty);
    chatty.startOutput();
    firstChunk.await();

    Started other = start(List.of("seq", "1", "50000"));
    assertThat(other.out().awaitEnd()).endsWith("\n50000\n");
    // Nothing is read while the sink holds the one read it got: the agent (4 MB to write, a pipe of
    // at most 1 MiB) blocks writing to its full pipe.
    assertThat(slowBytes.size()).isZero();
    assertThat(chatty.onExit()).isNotDone();

    release.countDown();
    assertThat(slowBytes.awaitEnd()).hasSize(total);
    assertThat(chatty.onExit().get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void moreBlockedSinksThanDeliveryThreadsStillLeaveOtherAgentsTheirOutput() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch allBlocked = new CountDownLatch(DeliveryPool.CORE + 1);
    OutputSink blocking =
        new OutputSink() {
          @Override
          public void data(byte[] buf, int off, int len) {
            allBlocked.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }

          @Override
          public void end() {}
        };
    Map<String, String> env =
        Map.of("PATH", System.getenv("PATH"), "DESCARTES_AGENT_ID", UUID.randomUUID().toString());
    List<ChildProcess> stuck = new ArrayList<>();
    for (int i = 0; i <= DeliveryPool.CORE; i++) {
      ChildProcess c =
          engine.start(
              new LaunchRequest(
                  Scripts.shell("echo blocked"), env, dir, blocking, new CollectingSink()));
      started.add(c);
      stuck.add(c);
      c.startOutput();
    }
    allBlocked.await();
    Started free = start(Scripts.shell("echo free"));
    assertThat(free.out().awaitEnd()).isEqualTo("free\n");
    assertThat(free.exit()).isEqualTo(ExitStatus.exited(0));
    release.countDown();
    for (ChildProcess c : stuck) {
      assertThat(c.onExit().get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(0));
    }
  }

  @Test
  void abandoningOutputEndsStreamsThatAGrandchildHoldsOpen() throws Exception {
    Started s = start(Scripts.shell("sleep 600 & echo started; read wait; exit 0"));
    ProcessTree tree =
        ProcessTree.of(
                s.child().pid(),
                "DESCARTES_AGENT_ID",
                s.cookie().substring(s.cookie().indexOf('=') + 1))
            .orElseThrow();
    s.child().closeStdin();
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
    await().atMost(WAIT).until(() -> s.out().text().equals("started\n"));
    assertThat(s.out().ended()).isNotDone();
    s.child().abandonOutput();
    assertThat(s.out().awaitEnd()).isEqualTo("started\n");
    assertThat(s.err().awaitEnd()).isEmpty();
    tree.leaderExited();
    assertThat(tree.killAll(WAIT)).isEqualTo(1);
  }

  @Test
  void failsToStartWithTheJdkEnginesMessage() throws Exception {
    for (String program : List.of(dir.resolve("missing").toString(), dir.toString())) {
      String jdk = jdkMessage(new ProcessBuilder(program).directory(dir.toFile()));
      assertThatThrownBy(() -> start(List.of(program)))
          .isInstanceOf(IOException.class)
          .hasMessage(jdk);
    }
    String huge = "x".repeat(3 << 20);
    ProcessBuilder pb = new ProcessBuilder("/bin/true").directory(dir.toFile());
    pb.environment().put("HUGE", huge);
    assertThatThrownBy(() -> start(List.of("/bin/true"), Map.of("HUGE", huge)))
        .isInstanceOf(IOException.class)
        .hasMessage(jdkMessage(pb))
        .hasMessageContaining("Argument list too long");
  }

  private static String jdkMessage(ProcessBuilder pb) {
    try {
      Process p = pb.start();
      p.destroyForcibly();
      throw new AssertionError("the JDK started " + pb.command());
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  @Test
  void runsAScriptWithoutAnInterpreterLineThroughTheShellAsTheJdkDoes() throws Exception {
    Path script = dir.resolve("plain");
    Files.writeString(script, "echo plain script $1\n");
    script.toFile().setExecutable(true);
    Started s = start(List.of(script.toString(), "arg"));
    assertThat(s.out().awaitEnd()).isEqualTo("plain script arg\n");
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0));
  }

  @Test
  void neverReapsAChildTheJdkStarted() throws Exception {
    Process jdkChild = new ProcessBuilder("/bin/sh", "-c", "read x; exit 3").start();
    List<Started> natives = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      natives.add(start(Scripts.shell("exit " + i)));
    }
    for (int i = 0; i < natives.size(); i++) {
      assertThat(natives.get(i).exit()).isEqualTo(ExitStatus.exited(i));
    }
    jdkChild.getOutputStream().close();
    assertThat(jdkChild.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(jdkChild.exitValue()).isEqualTo(3);
  }

  @Test
  void closingTheEngineEndsItsThreadAndReleasesItsDescriptors() throws Exception {
    engine.close();
    long fdsBefore = openDescriptors();
    long loopsBefore = loopThreads();
    NativeProcessEngine other = new NativeProcessEngine();
    Started s;
    engine = other;
    s = start(List.of("/bin/cat"));
    assertThat(loopThreads()).isEqualTo(loopsBefore + 1);
    other.close();
    assertThat(s.out().awaitEnd()).isEmpty();
    assertThat(s.exit()).isEqualTo(ExitStatus.exited(0)); // closing stdin let cat finish
    // At most as many as before: what earlier test classes in this JVM hold may be released
    // meanwhile (their cleaners), which would make an equality never hold.
    await()
        .atMost(WAIT)
        .until(() -> loopThreads() == loopsBefore && openDescriptors() <= fdsBefore);
    assertThatThrownBy(() -> start(List.of("/bin/true")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }

  private static long loopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("descartes-epoll"))
        .count();
  }

  static long openDescriptors() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  @Test
  void rejectsANulCharacterInAnArgumentOrVariable() {
    assertThatThrownBy(() -> start(List.of("/bin/echo", "a\0b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argument 1");
    assertThatThrownBy(() -> start(List.of("/bin/true"), Map.of("SECRET", "t0ps3cr3t\0x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SECRET")
        .hasMessageNotContaining("t0ps3cr3t");
  }
}
