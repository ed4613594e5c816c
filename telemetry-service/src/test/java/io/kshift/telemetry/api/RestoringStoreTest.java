package io.kshift.telemetry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.WebApplicationException;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;

/** Windows asked for while Kafka Streams is not running (starting, restoring, rebalancing): 503, to retry, not 500. */
class RestoringStoreTest {
    @Test
    void windowsAskedForBeforeTheStoresAreQueryableAre503() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties p = new Properties();
        p.put("application.id", "restoring-store-test");
        p.put("bootstrap.servers", "127.0.0.1:1");
        try (KafkaStreams notStarted = new KafkaStreams(builder.build(), p)) {
            TelemetryResource resource = new TelemetryResource(notStarted, new ClosedWindows());
            assertThatThrownBy(() -> resource.windows("default", "echo", "10s", 6))
                    .isInstanceOfSatisfying(WebApplicationException.class, e -> {
                        assertThat(e.getResponse().getStatus()).isEqualTo(503);
                        assertThat(e.getResponse().getHeaderString("Retry-After")).isEqualTo("2");
                    });
        }
    }
}
