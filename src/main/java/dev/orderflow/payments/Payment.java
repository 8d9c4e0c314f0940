package dev.orderflow.payments;

import java.time.Instant;

/**
 * The one outcome of charging one order, announced as PaymentAuthorized, PaymentDeclined or PaymentFailed.
 *
 * @param chargeId the gateway's charge id (empty for FAILED: no charge was obtained)
 * @param reason why it was declined or failed (empty when authorized)
 */
record Payment(
    String orderId, Outcome outcome, String chargeId, long amountMinor, String currency, String reason, Instant at) {

  enum Outcome { AUTHORIZED, DECLINED, FAILED }

  static Payment charged(String orderId, GatewayClient.Charge charge, long amountMinor, String currency, Instant at) {
    return new Payment(orderId, charge.authorized() ? Outcome.AUTHORIZED : Outcome.DECLINED, charge.chargeId(),
        amountMinor, currency, charge.authorized() ? "" : charge.reason(), at);
  }

  static Payment failed(String orderId, long amountMinor, String currency, String reason, Instant at) {
    return new Payment(orderId, Outcome.FAILED, "", amountMinor, currency, reason, at);
  }
}
