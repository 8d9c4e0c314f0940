package dev.orderflow.access;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may do what on the API, decided from a verified token's claims alone: plain Java, no I/O, so that every rule is
 * unit-tested and a refused request costs nothing but this check.
 *
 * <ul>
 *   <li>A customer (named by the customer claim) places orders only as itself and reads only its own orders;
 *       another customer's order is hidden (404, like an unknown one) so that order ids cannot be probed.</li>
 *   <li>An operator (the operator role in the roles claim) reads any order, the inventory and (when protected) the
 *       metrics, and may place an order on a customer's behalf; only an operator uses the console and the admin
 *       API.</li>
 * </ul>
 */
public final class AccessPolicy {

  /** What to answer. */
  public enum Decision {
    /** Go ahead. */
    ALLOW,
    /** 403: the caller may not do this. */
    FORBID,
    /** 404: the caller may not know that this exists. */
    HIDE
  }

  /** The authenticated caller: the customer it is (null for an operator without one) and whether it is an operator. */
  public record Caller(String customerId, boolean operator) {}

  private final String customerClaim;
  private final List<String> rolesPath;
  private final String operatorRole;

  /**
   * @param customerClaim the claim naming the customer, e.g. {@code sub}
   * @param rolesClaim the claim listing roles; dots reach into nested objects, e.g. {@code realm_access.roles}
   * @param operatorRole the role that makes a caller an operator
   */
  public AccessPolicy(String customerClaim, String rolesClaim, String operatorRole) {
    this.customerClaim = Objects.requireNonNull(customerClaim);
    this.rolesPath = rolesClaim.isEmpty() ? List.of() : Arrays.asList(rolesClaim.split("\\."));
    this.operatorRole = Objects.requireNonNull(operatorRole);
  }

  /**
   * The caller a verified token's claims describe, or empty when they describe no one this API serves (no customer
   * claim and no operator role): such a token is refused like an invalid one.
   */
  public Optional<Caller> caller(Map<String, ?> claims) {
    Object customer = claims.get(customerClaim);
    String customerId = customer instanceof String s && !s.isBlank() ? s : null;
    boolean operator = roles(claims).contains(operatorRole);
    return customerId == null && !operator ? Optional.empty() : Optional.of(new Caller(customerId, operator));
  }

  /** May {@code caller} place an order for {@code customerId} (the body's)? */
  public Decision placeOrder(Caller caller, String customerId) {
    return caller.operator() || Objects.equals(caller.customerId(), customerId) ? Decision.ALLOW : Decision.FORBID;
  }

  /** May {@code caller} see the order of {@code ownerCustomerId}? Another's order is hidden, not forbidden. */
  public Decision readOrder(Caller caller, String ownerCustomerId) {
    return caller.operator() || (caller.customerId() != null && caller.customerId().equals(ownerCustomerId))
        ? Decision.ALLOW : Decision.HIDE;
  }

  /**
   * May {@code caller} list the orders of {@code customerId} ({@code null}: of every customer)? A customer lists
   * only its own; asking for another's is refused outright, so that no filter or cursor can reach them.
   */
  public Decision listOrders(Caller caller, String customerId) {
    return caller.operator() || (customerId != null && customerId.equals(caller.customerId()))
        ? Decision.ALLOW : Decision.FORBID;
  }

  /** Stock levels are the shop's business, not its customers'. */
  public Decision readInventory(Caller caller) {
    return caller.operator() ? Decision.ALLOW : Decision.FORBID;
  }

  /** The operator's console and its admin API (dead letters, order timelines) are for operators only. */
  public Decision operate(Caller caller) {
    return caller.operator() ? Decision.ALLOW : Decision.FORBID;
  }

  /** When metrics are protected, only operators (and the monitoring system with an operator token) read them. */
  public Decision readMetrics(Caller caller) {
    return readInventory(caller);
  }

  private Collection<?> roles(Map<String, ?> claims) {
    Object value = claims;
    for (String step : rolesPath) {
      if (!(value instanceof Map<?, ?> map)) {
        return List.of();
      }
      value = map.get(step);
    }
    if (value instanceof Collection<?> list) {
      return list;
    }
    if (value instanceof String spaceSeparated) {
      return Arrays.asList(spaceSeparated.trim().split("\\s+"));
    }
    return List.of();
  }
}
