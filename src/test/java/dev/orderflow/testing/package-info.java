/**
 * Test support: a real nats-server per test class ({@link dev.orderflow.testing.NatsTestServer}), an Orderflow
 * process started in the test JVM against it ({@link dev.orderflow.testing.TestOrderflow}), and polling for
 * conditions instead of sleeping ({@link dev.orderflow.testing.Eventually}).
 */
package dev.orderflow.testing;
