package dev.orderflow.access;

import static dev.orderflow.access.AccessPolicy.Decision.ALLOW;
import static dev.orderflow.access.AccessPolicy.Decision.FORBID;
import static dev.orderflow.access.AccessPolicy.Decision.HIDE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderflow.access.AccessPolicy.Caller;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The access policy")
class AccessPolicyTest {

  private final AccessPolicy policy = new AccessPolicy("sub", "roles", "operator");
  private final Caller alice = new Caller("alice", false);
  private final Caller operator = new Caller(null, true);

  @Test
  @DisplayName("takes the customer from the customer claim and the operator role from the roles claim")
  void callers() {
    assertThat(policy.caller(Map.of("sub", "alice"))).contains(alice);
    assertThat(policy.caller(Map.of("sub", "ops-1", "roles", List.of("reader", "operator"))))
        .contains(new Caller("ops-1", true));
    assertThat(policy.caller(Map.of("roles", "reader operator"))).contains(operator);
    assertThat(policy.caller(Map.of("sub", "mallory", "roles", List.of("operatorX"))))
        .contains(new Caller("mallory", false));
  }

  @Test
  @DisplayName("refuses a token that names no customer and no operator role")
  void nobody() {
    assertThat(policy.caller(Map.of())).isEmpty();
    assertThat(policy.caller(Map.of("sub", " "))).isEmpty();
    assertThat(policy.caller(Map.of("sub", 42, "roles", List.of("reader")))).isEmpty();
  }

  @Test
  @DisplayName("reads roles from nested claims such as realm_access.roles")
  void nestedRoles() {
    AccessPolicy keycloak = new AccessPolicy("preferred_username", "realm_access.roles", "shop-operator");
    assertThat(keycloak.caller(Map.of("preferred_username", "olga",
        "realm_access", Map.of("roles", List.of("shop-operator"))))).contains(new Caller("olga", true));
    assertThat(keycloak.caller(Map.of("preferred_username", "olga", "realm_access", "shop-operator")))
        .contains(new Caller("olga", false));
  }

  @Test
  @DisplayName("lets a customer place orders only as itself; an operator on anyone's behalf")
  void placing() {
    assertThat(policy.placeOrder(alice, "alice")).isEqualTo(ALLOW);
    assertThat(policy.placeOrder(alice, "bob")).isEqualTo(FORBID);
    assertThat(policy.placeOrder(alice, null)).isEqualTo(FORBID);
    assertThat(policy.placeOrder(operator, "bob")).isEqualTo(ALLOW);
  }

  @Test
  @DisplayName("hides another customer's order (404, as for an unknown one); an operator reads any")
  void reading() {
    assertThat(policy.readOrder(alice, "alice")).isEqualTo(ALLOW);
    assertThat(policy.readOrder(alice, "bob")).isEqualTo(HIDE);
    assertThat(policy.readOrder(new Caller(null, false), null)).isEqualTo(HIDE);
    assertThat(policy.readOrder(operator, "bob")).isEqualTo(ALLOW);
  }

  @Test
  @DisplayName("lets only operators read the inventory and protected metrics")
  void operatorsOnly() {
    assertThat(policy.readInventory(alice)).isEqualTo(FORBID);
    assertThat(policy.readInventory(operator)).isEqualTo(ALLOW);
    assertThat(policy.readMetrics(alice)).isEqualTo(FORBID);
    assertThat(policy.readMetrics(operator)).isEqualTo(ALLOW);
  }
}
