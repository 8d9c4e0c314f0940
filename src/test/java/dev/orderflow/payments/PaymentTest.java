package dev.orderflow.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A payment outcome")
class PaymentTest {

  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  @DisplayName("records an authorized charge with the gateway's charge id and the amount")
  void authorized() {
    Payment payment = Payment.charged("o-1", new GatewayClient.Charge("ch_1", true, ""), 2500, "EUR", NOW);
    assertThat(payment.outcome()).isEqualTo(Payment.Outcome.AUTHORIZED);
    assertThat(payment.chargeId()).isEqualTo("ch_1");
    assertThat(payment.reason()).isEmpty();
  }

  @Test
  @DisplayName("records a decline with the gateway's reason")
  void declined() {
    Payment payment =
        Payment.charged("o-1", new GatewayClient.Charge("ch_2", false, "card declined"), 2500, "EUR", NOW);
    assertThat(payment.outcome()).isEqualTo(Payment.Outcome.DECLINED);
    assertThat(payment.reason()).isEqualTo("card declined");
  }

  @Test
  @DisplayName("records a failure with no charge id")
  void failed() {
    Payment payment = Payment.failed("o-1", 2500, "EUR", "gateway answered 503", NOW);
    assertThat(payment.outcome()).isEqualTo(Payment.Outcome.FAILED);
    assertThat(payment.chargeId()).isEmpty();
  }
}
