/**
 * Descartes Agent Runner: spawns and manages AI coding agents as operating-system processes.
 *
 * <p>Only {@code dev.descartes.runner} is exported; everything under {@code internal} is private to
 * the library. On Linux the runner calls system calls ({@code posix_spawnp}, {@code pidfd_open},
 * {@code pidfd_send_signal}, {@code waitid}, {@code epoll}, {@code prctl}) through the Foreign
 * Function &amp; Memory API, so launch with {@code --enable-native-access=dev.descartes.runner} (or
 * {@code ALL-UNNAMED} on the class path, or {@code Enable-Native-Access: ALL-UNNAMED} in an
 * executable JAR's manifest). Without it the runner logs one warning and falls back to the JDK's
 * process API (the JDK process engine, three platform threads per agent); it never fails for it.
 */
module dev.descartes.runner {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.descartes.runner;

  uses dev.descartes.runner.AgentBackend;
  uses dev.descartes.runner.AgentRunnerProvider;
}
