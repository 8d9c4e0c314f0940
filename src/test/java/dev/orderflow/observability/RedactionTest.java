package dev.orderflow.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redaction of URLs")
class RedactionTest {

  @Test
  @DisplayName("takes the user info out of every URL, keeps the rest, and leaves other text alone")
  void userInfo() {
    assertThat(Redaction.urls("nats://user:pw@host:4222")).isEqualTo("nats://***@host:4222");
    assertThat(Redaction.urls("nats://a:b@n1:4222,nats://n2:4222,tls://token@n3:4443"))
        .isEqualTo("nats://***@n1:4222,nats://n2:4222,tls://***@n3:4443");
    assertThat(Redaction.urls("NATS at [nats://u:p@ss@h:1] failed")).isEqualTo("NATS at [nats://***@h:1] failed");
    assertThat(Redaction.urls("https://idp.example/keys?u=x@y and mail me@example.org"))
        .isEqualTo("https://idp.example/keys?u=x@y and mail me@example.org");
    assertThat(Redaction.urls("nats://127.0.0.1:4222")).isEqualTo("nats://127.0.0.1:4222");
    assertThat(Redaction.urls(null)).isNull();
  }
}
