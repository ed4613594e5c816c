package io.kshift.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One service's configuration as its code declares it: the properties of its application.properties, the names
 * its code reads with {@code @ConfigProperty}, and the environment variables its properties refer to. An
 * environment variable a manifest sets must land on one of these, by Quarkus's mapping (KAFKA_BOOTSTRAP_SERVERS ->
 * kafka.bootstrap.servers; dots and dashes become underscores, upper case).
 */
record ServiceConfig(String module, Properties properties, Set<String> injected, Set<String> referencedEnv) {
    private static final Pattern INJECTED = Pattern.compile("@ConfigProperty\\(name = \"([^\"]+)\"");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    static ServiceConfig of(String module) {
        Path dir = Repo.path(module);
        Properties props = new Properties();
        Set<String> env = new HashSet<>();
        Set<String> injected = new HashSet<>();
        try {
            String text = Files.readString(dir.resolve("src/main/resources/application.properties"));
            props.load(new java.io.StringReader(text));
            Matcher m = ENV_REF.matcher(text);
            while (m.find()) {
                env.add(m.group(1));
            }
            try (Stream<Path> sources = Files.walk(dir.resolve("src/main/java"))) {
                for (Path p : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher i = INJECTED.matcher(Files.readString(p));
                    while (i.find()) {
                        injected.add(i.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceConfig(module, props, injected, env);
    }

    int httpPort() {
        return Integer.parseInt(properties.getProperty("quarkus.http.port"));
    }

    /**
     * Kafka client settings as environment variables: Quarkus' default Kafka configuration takes every
     * {@code KAFKA_*} variable that names one (KAFKA_SASL_JAAS_CONFIG -> sasl.jaas.config) for all of a service's
     * clients.
     */
    private static final Set<String> KAFKA_CLIENT_ENV = Stream.of(
                    org.apache.kafka.clients.producer.ProducerConfig.configNames(),
                    org.apache.kafka.clients.consumer.ConsumerConfig.configNames(),
                    org.apache.kafka.clients.admin.AdminClientConfig.configNames())
            .flatMap(Set::stream).map(n -> toEnv("kafka." + n)).collect(java.util.stream.Collectors.toSet());

    /** Whether setting this environment variable configures something the service reads. */
    boolean reads(String envVar) {
        if (referencedEnv.contains(envVar)) {
            return true;
        }
        if (properties.containsKey("kafka.bootstrap.servers") && KAFKA_CLIENT_ENV.contains(envVar)) {
            return true;
        }
        Stream<String> names = Stream.concat(injected.stream(), properties.stringPropertyNames().stream()
                .filter(n -> !n.startsWith("%")));
        return names.anyMatch(n -> toEnv(n).equals(envVar));
    }

    static String toEnv(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
