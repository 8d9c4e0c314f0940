package dev.orderflow.payments;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An entry of the payment ledger: the one outcome of charging one order.
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

  byte[] encode() {
    return new JsonObject()
        .put("orderId", orderId)
        .put("outcome", outcome.name())
        .put("chargeId", chargeId)
        .put("amountMinor", amountMinor)
        .put("currency", currency)
        .put("reason", reason)
        .put("at", at.toString())
        .toBuffer().getBytes();
  }

  static Payment decode(byte[] data) {
    JsonObject json = Buffer.buffer(data).toJsonObject();
    return new Payment(
        json.getString("orderId"),
        Outcome.valueOf(json.getString("outcome")),
        json.getString("chargeId"),
        json.getLong("amountMinor"),
        json.getString("currency"),
        json.getString("reason"),
        Instant.parse(json.getString("at")));
  }
}
