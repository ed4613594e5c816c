package io.kshift.model.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class BusSetupTest {
    @Test
    void aRefusedLoginOrABadSettingEndsTheWaitAndABrokerNotUpYetDoesNot() {
        assertThat(BusSetup.permanent(new ExecutionException(new SaslAuthenticationException("bad password"))))
                .isTrue();
        assertThat(BusSetup.permanent(new org.apache.kafka.common.KafkaException("Failed to create new KafkaAdminClient",
                new org.apache.kafka.common.config.ConfigException("ssl.truststore.location", "x", "no file"))))
                .isTrue();
        assertThat(BusSetup.permanent(new ExecutionException(new TimeoutException("no broker yet")))).isFalse();
        assertThat(BusSetup.permanent(new IllegalStateException("1 of 3 brokers up"))).isFalse();
    }

    @Test
    void aMissingPasswordIsRefusedWithTheUserItLacks() {
        assertThatThrownBy(() -> BusSetup.run(Map.of("bootstrap.servers", "127.0.0.1:1"), 1,
                Map.of(MeshAcls.PROXY, "x"), Duration.ofMinutes(5), () -> { }, progress -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no password for Kafka user " + MeshAcls.CONFIG_SERVICE);
    }

    @Test
    void causesSaysWhatWasUnderneath() {
        assertThat(BusSetup.causes(new RuntimeException("outer", new IllegalStateException("inner"))))
                .isEqualTo("java.lang.RuntimeException: outer <- java.lang.IllegalStateException: inner");
    }
}
