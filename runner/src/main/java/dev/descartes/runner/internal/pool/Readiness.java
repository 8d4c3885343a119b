package dev.descartes.runner.internal.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descartes.runner.AgentConfig;
import dev.descartes.runner.AgentEvent;
import dev.descartes.runner.AgentException;
import dev.descartes.runner.AgentHandle;
import dev.descartes.runner.AgentSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * When a newly started pooled agent can take a task without delay. A session with a warm-up task is
 * ready once that turn succeeded. A claude or qwen session without one is ready once the CLI
 * answered its stream-json {@code initialize} control request, which it does only after it has
 * loaded (no model call). A command agent is ready once its process runs.
 */
final class Readiness {

  private Readiness() {}

  /** Waits until {@code h} is ready, up to {@code timeout}. */
  static void await(AgentHandle h, AgentConfig config, Duration timeout)
      throws InterruptedException {
    Optional<AgentSession> session = h.session();
    try {
      if (session.isPresent() && !config.task().isBlank()) {
        AgentEvent.Result warmUp =
            session.get().currentTurn().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!warmUp.success()) {
          throw new AgentException.Execution(
              "the pooled agent's warm-up task failed: "
                  + warmUp.errorMessage().orElse(warmUp.text()));
        }
      } else if (session.isPresent() && speaksControlRequests(config)) {
        handshake(h, timeout);
      }
    } catch (ExecutionException e) {
      throw new AgentException.Execution(
          "the pooled agent ended before it was ready: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new AgentException.Timeout(
          "the pooled agent was not ready within "
              + timeout
              + "; raise PoolConfig.readyTimeout or check that the CLI starts",
          timeout);
    }
    if (!h.status().isLive()) {
      throw new AgentException.Execution(
          "the pooled agent ended before it was ready (" + h.status() + ")");
    }
  }

  private static boolean speaksControlRequests(AgentConfig config) {
    return !config.hasCommand()
        && (config.modelBackend().equals("claude") || config.modelBackend().equals("qwen"));
  }

  private static void handshake(AgentHandle h, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    String id = "descartes-ready-" + UUID.randomUUID();
    CompletableFuture<Void> answered = new CompletableFuture<>();
    try (AutoCloseable _ =
        h.onEvent(
            e -> {
              if (e instanceof AgentEvent.Json j && answers(j.json(), id)) {
                answered.complete(null);
              } else if (e instanceof AgentEvent.Exited x) {
                answered.completeExceptionally(
                    new AgentException.Execution("exited " + x.exitStatus()));
              }
            })) {
      if (!h.status().isLive()) {
        throw new ExecutionException(new AgentException.Execution("it ended (" + h.status() + ")"));
      }
      h.writeStdin(
          ("{\"type\":\"control_request\",\"request_id\":\""
                  + id
                  + "\",\"request\":{\"subtype\":\"initialize\"}}\n")
              .getBytes(StandardCharsets.UTF_8));
      answered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
      throw e;
    } catch (Exception closeFailed) {
      // removing the listener cannot fail in a way that matters here
    }
  }

  private static boolean answers(JsonNode json, String id) {
    return json.path("type").asText().equals("control_response")
        && json.path("response").path("request_id").asText().equals(id);
  }
}
