package dev.descartes.runner.internal.activity;

import dev.descartes.runner.AgentActivity;
import dev.descartes.runner.AgentEvent;

/**
 * Follows one agent's events and says what it is doing ({@link AgentActivity}). A turn starts when
 * a message is sent or the CLI speaks; a tool call that asks the user ({@code AskUserQuestion}), or
 * a permission request on stdout ({@code control_request} {@code can_use_tool}), waits for input
 * until its answer; a result ends the turn. Thread-safe.
 */
public final class ActivityTracker {

  private final boolean parsed;
  private volatile AgentActivity activity = AgentActivity.STARTING;
  private String waitingFor;

  /**
   * @param parsed whether the agent's output is parsed into normalized events; when not, a running
   *     agent is {@link AgentActivity#BUSY}
   * @param idleAtStart a multi-turn session started without a first message: idle until one is sent
   */
  public ActivityTracker(boolean parsed, boolean idleAtStart) {
    this.parsed = parsed;
    if (idleAtStart) {
      activity = AgentActivity.IDLE;
    }
  }

  public AgentActivity activity() {
    return activity;
  }

  /** A user message was written to the agent's session. */
  public synchronized void messageSent() {
    if (activity != AgentActivity.ENDED) {
      activity = AgentActivity.BUSY;
    }
  }

  /** Every event of the agent, in order. */
  public synchronized void accept(AgentEvent e) {
    if (activity == AgentActivity.ENDED) {
      return;
    }
    switch (e) {
      case AgentEvent.Started s -> {
        if (!parsed) {
          activity = AgentActivity.BUSY;
        }
      }
      case AgentEvent.Exited x -> activity = AgentActivity.ENDED;
      case AgentEvent.ToolCall c when asksTheUser(c.name()) -> {
        waitingFor = c.id();
        activity = AgentActivity.WAITING_FOR_INPUT;
      }
      case AgentEvent.ToolResult r when r.id().equals(waitingFor) -> {
        waitingFor = null;
        activity = AgentActivity.BUSY;
      }
      case AgentEvent.Result r -> {
        waitingFor = null;
        activity = AgentActivity.IDLE;
      }
      case AgentEvent.Json j
          when j.json().path("type").asText().equals("control_request")
              && j.json().path("request").path("subtype").asText().equals("can_use_tool") ->
          activity = AgentActivity.WAITING_FOR_INPUT;
      case AgentEvent.Normalized n -> {
        if (waitingFor == null) {
          activity = AgentActivity.BUSY;
        }
      }
      default -> {}
    }
  }

  private static boolean asksTheUser(String tool) {
    return tool.equals("AskUserQuestion")
        || tool.equals("ask_user")
        || tool.equals("request_user_input");
  }
}
