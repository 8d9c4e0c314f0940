package dev.orderflow.messaging;

/** A JetStream stream: its name and the subjects it stores. */
public record StreamSpec(String name, String subjects) {}
