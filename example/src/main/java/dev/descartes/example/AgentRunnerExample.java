package dev.descartes.example;

public final class AgentRunnerExample {
  public static void main(String[] args) {}
}
