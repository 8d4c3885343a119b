/**
 * Descartes Agent Runner: spawns and manages AI coding agents as operating-system processes.
 *
 * <p>Only {@code dev.descartes.runner} is exported; everything under {@code internal} is private to
 * the library. The runner calls a few Linux system calls ({@code pidfd_open}, {@code
 * pidfd_send_signal}, {@code waitid}, {@code prctl}) through the Foreign Function &amp; Memory API,
 * so launch with {@code --enable-native-access=dev.descartes.runner} (or {@code ALL-UNNAMED} on the
 * class path).
 */
module dev.descartes.runner {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.descartes.runner;

  uses dev.descartes.runner.AgentBackend;
}
