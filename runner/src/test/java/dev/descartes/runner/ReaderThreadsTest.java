package dev.descartes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descartes.runner.testing.LeakCheck;
import dev.descartes.runner.testing.Scripts;
import dev.descartes.runner.testing.TestRunners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stream readers never run where they can starve: with the JDK engine they are platform threads (a
 * virtual thread blocked on a process pipe holds a carrier, and beyond 256 agents readers starve),
 * so more agents than the carrier pool holds all stream.
 */
@ExtendWith(LeakCheck.class)
class ReaderThreadsTest {

  @Test
  void jdkEngineReadsEachStreamOnAPlatformThread() throws Exception {
    try (var runner = TestRunners.runner()) {
      assumeTrue(runner.engineName().equals("jdk"), "JDK engine only");
      AgentHandle h = runner.spawn(AgentConfig.builder().name("s").command("sleep", "300").build());
      Set<Thread> threads = Thread.getAllStackTraces().keySet(); // platform threads only
      assertThat(threads)
          .extracting(Thread::getName)
          .contains("descartes-stdout-" + h.pid(), "descartes-stderr-" + h.pid());
      assertThat(threads)
          .filteredOn(t -> t.getName().endsWith("-" + h.pid()))
          .noneMatch(Thread::isVirtual);
      h.kill();
      h.waitFor();
    }
  }

  @Test
  void moreAgentsThanTheVirtualThreadCarrierPoolAllStream() throws Exception {
    int n = 300;
    try (var runner = TestRunners.runner(TestRunners.config().enableHealthChecks(false))) {
      List<AgentHandle> handles = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        handles.add(
            runner.spawn(
                AgentConfig.builder()
                    .name("a" + i)
                    .command(Scripts.shell("echo hello " + i + "; exec sleep 300"))
                    .build()));
      }
      for (int i = 0; i < n; i++) {
        assertThat(handles.get(i).readStdout(Duration.ofSeconds(60)))
            .map(String::new)
            .contains("hello " + i + "\n");
      }
      runner.shutdown(Duration.ofSeconds(5));
      assertThat(handles).allMatch(h -> h.status() == AgentStatus.TERMINATED);
    }
  }
}
