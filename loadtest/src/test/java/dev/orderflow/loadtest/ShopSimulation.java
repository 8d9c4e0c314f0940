package dev.orderflow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every Orderflow simulation shares: the shop's clients arriving by an open workload model (a profile of
 * arrival rates), the assertions, and the audit once the last client is done.
 *
 * <p>The audit runs as a scenario of its own after the load ({@code andThen}) and ends in a request named
 * {@value Shop#AUDIT} that fails when the audit does, so a failed audit fails the run's assertions and still
 * leaves the HTML report.
 */
abstract class ShopSimulation extends Simulation {

  private final Settings settings;
  private final Shop shop;
  private final Audit audit;
  private final List<String> skus = new ArrayList<>(Traffic.UNLIMITED);
  private volatile Map<String, Audit.StockLevel> stockBefore;

  ShopSimulation(String name, Settings settings, List<OpenInjectionStep> profile, Duration load) {
    this.settings = settings;
    this.shop = new Shop(settings);
    this.audit = new Audit(settings.baseUrl(), settings.gatewayUrl(), settings.token());
    skus.add(Traffic.SOLD_OUT);
    // The run ends at the latest once the last client could have finished polling, plus the audit's time.
    Duration lastClient = settings.pollInterval().multipliedBy(settings.maxPolls() + 2L)
        .plusSeconds(settings.maxAttempts() * 2L);
    setUp(shop.clients(name).injectOpen(profile).andThen(auditor(name).injectOpen(atOnceUsers(1))))
        .protocols(shop.protocol())
        .assertions(shop.assertions())
        .maxDuration(load.plus(lastClient).plus(settings.drain().multipliedBy(2)));
    System.out.println(settings.describe());
  }

  @Override
  public void before() {
    stockBefore = audit.stock(skus);
  }

  private ScenarioBuilder auditor(String name) {
    return scenario(name + " audit")
        .exec(this::runAudit)
        .exec(http(Shop.AUDIT).get("/health/live")
            .check(status().transformWithSession((status, session) -> session.getString("audit")).is("passed")));
  }

  private Session runAudit(Session session) {
    List<AcceptedOrder> accepted = shop.accepted();
    Audit.Report report = audit.run(accepted, stockBefore, settings.drain());
    System.out.println();
    System.out.print(report.table());
    return session.set("audit", report.passed() ? "passed" : "failed");
  }
}
