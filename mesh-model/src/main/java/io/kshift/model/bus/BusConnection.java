package io.kshift.model.bus;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How a service's own Kafka clients (the validator's loop, snapshot loaders, the registry adapter's bus) reach the
 * broker: the bootstrap servers and, on a closed bus, the SASL and TLS settings — the same ones the SmallRye channels
 * get (Quarkus' {@code default-kafka-broker} map: {@code kafka.*} properties and {@code KAFKA_*} variables).
 */
public record BusConnection(Map<String, Object> settings) {
    private static final String[] KEPT = {"bootstrap.servers", "security.protocol", "sasl.", "ssl.", "client.dns.lookup"};

    public BusConnection {
        settings = Map.copyOf(settings);
        if (!settings.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("no bootstrap.servers (kafka.bootstrap.servers) is configured");
        }
    }

    /** The connection settings among a service's Kafka configuration; everything else is left to each client. */
    public static BusConnection of(Map<String, ?> kafkaConfig) {
        Map<String, Object> kept = new TreeMap<>();
        kafkaConfig.forEach((k, v) -> {
            for (String prefix : KEPT) {
                if (k.equals(prefix) || (prefix.endsWith(".") && k.startsWith(prefix))) {
                    kept.put(k, v);
                }
            }
        });
        return new BusConnection(kept);
    }

    /** An open bus (tests' broker, a local one without credentials). */
    public static BusConnection plain(String bootstrapServers) {
        return new BusConnection(Map.of("bootstrap.servers", bootstrapServers));
    }

    public String bootstrapServers() {
        return String.valueOf(settings.get("bootstrap.servers"));
    }

    /** A fresh set of client properties holding the connection settings, for a client to add its own to. */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(settings);
        return p;
    }

    @Override
    public String toString() {
        // Never the credentials.
        return "BusConnection[" + bootstrapServers() + ", " + settings.getOrDefault("security.protocol", "PLAINTEXT")
                + "]";
    }
}
