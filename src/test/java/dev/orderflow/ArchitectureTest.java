package dev.orderflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import dev.orderflow.messaging.Topology;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The package list is the architecture; these rules keep it so. (Run as plain JUnit tests: the rules are checked
 * and counted like any other test.)
 */
@DisplayName("The architecture")
class ArchitectureTest {

  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.orderflow");

  private static final String[] CONTEXTS = {
    "dev.orderflow.orders..", "dev.orderflow.inventory..", "dev.orderflow.payments..",
    "dev.orderflow.shipping..", "dev.orderflow.gateway.."
  };

  private static final ArchRule contextsMeetOnlyThroughEvents = slices()
      .matching("dev.orderflow.(orders|inventory|payments|shipping|gateway)..")
      .should().notDependOnEachOther()
      .as("bounded contexts never import each other; they meet only through events");

  private static final ArchRule onlyMessagingTalksToNats = noClasses()
      .that().resideOutsideOfPackage("dev.orderflow.messaging..")
      .should().dependOnClassesThat().resideInAPackage("io.nats..")
      .as("only the messaging package talks to NATS");

  private static final ArchRule onlyCompositionAndToolsReachTheAdapter = classes()
      .that().resideInAPackage("dev.orderflow.messaging.nats..")
      .should().onlyHaveDependentClassesThat().resideInAnyPackage("dev.orderflow", "dev.orderflow.audit..",
          "dev.orderflow.broker..", "dev.orderflow.messaging.nats..", "dev.orderflow.messaging.operate..")
      .as("the contexts and the console use messaging's API; only the composition, the operator's tools and the "
          + "adapter itself reach the JetStream adapter behind it");

  private static final ArchRule eventRulesStandAlone = noClasses()
      .that().resideInAPackage("dev.orderflow.events")
      .should().dependOnClassesThat().resideInAnyPackage("dev.orderflow.messaging..", "dev.orderflow.http..")
      .as("the event and id rules stand alone: messaging and the HTTP edge use them, not the other way round");

  private static final ArchRule technicalPackagesKnowNoContext = noClasses()
      .that().resideInAnyPackage("dev.orderflow.messaging..", "dev.orderflow.http..", "dev.orderflow.config..")
      .should().dependOnClassesThat().resideInAnyPackage(CONTEXTS)
      .as("messaging, http and config serve every context and know none of them");

  private static final ArchRule consoleKnowsNoContext = noClasses()
      .that().resideInAPackage("dev.orderflow.console..")
      .should().dependOnClassesThat().resideInAnyPackage(CONTEXTS)
      .as("the operator's console reads the broker through messaging and knows no context");

  private static final ArchRule contextsDoNotReachTheApplication = noClasses()
      .that().resideInAnyPackage(CONTEXTS)
      .should().dependOnClassesThat().resideInAPackage("dev.orderflow")
      .as("contexts do not depend on the application that assembles them");

  private static final ArchRule gatewayIsExternal = noClasses()
      .that().resideInAPackage("dev.orderflow.gateway..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.orderflow.messaging..", "dev.orderflow.events..")
      .as("the gateway simulator stands in for an external provider: it knows nothing of the pipeline");

  private static final ArchRule ordersOwnTheirStorage = ownedBy("orders",
      "IDEMPOTENCY_KEYS", "ORDERS_ON_INVENTORY", "ORDERS_ON_PAYMENTS");
  private static final ArchRule inventoryOwnsItsStorage = ownedBy("inventory",
      "STOCK", "INVENTORY_ON_ORDERS", "INVENTORY_ON_PAYMENT_DECLINED", "INVENTORY_ON_PAYMENT_FAILED",
      "INVENTORY_ON_PAYMENT_REFUNDED");
  private static final ArchRule paymentsOwnTheirConsumer = ownedBy("payments", "PAYMENTS_ON_INVENTORY",
      "PAYMENTS_ON_ORDER_CANCELLED");
  private static final ArchRule shippingOwnsItsConsumer = ownedBy("shipping", "SHIPPING_ON_ORDERS");

  /**
   * Only {@code context} (and {@code Topology} itself, which lists them for provisioning) touches these key-value
   * buckets and durable consumers of {@link Topology}: a context's state and its place in each stream are its own,
   * though one table names them all.
   */
  private static ArchRule ownedBy(String context, String... fields) {
    return CompositeArchRule.of(Stream.of(fields)
            .map(field -> noClasses()
                .that().resideOutsideOfPackages("dev.orderflow." + context + "..", "dev.orderflow.messaging..")
                .should().accessField(Topology.class, field))
            .toList())
        .as(context + " alone uses its " + String.join(", ", fields));
  }

  static Stream<ArchRule> rules() {
    return Stream.of(contextsMeetOnlyThroughEvents, onlyMessagingTalksToNats, onlyCompositionAndToolsReachTheAdapter,
        eventRulesStandAlone, technicalPackagesKnowNoContext, consoleKnowsNoContext, contextsDoNotReachTheApplication,
        gatewayIsExternal, ordersOwnTheirStorage, inventoryOwnsItsStorage, paymentsOwnTheirConsumer,
        shippingOwnsItsConsumer);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  @DisplayName("holds:")
  void holds(ArchRule rule) {
    rule.check(CLASSES);
  }
}
