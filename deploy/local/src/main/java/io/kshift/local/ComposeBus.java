package io.kshift.local;

import io.kshift.model.bus.BusSetup;
import io.kshift.model.bus.MeshAcls;
import io.kshift.samples.tls.DemoPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What compose's closed bus needs, written by {@code ./kshift keys} to {@code .kshift/compose/} (docker-compose.yml
 * mounts and reads these by name; docs/security.md): a CA ({@code ca.crt}) and the brokers' key and certificate
 * ({@code kafka-broker.pem}, for the names kafka, kafka-2, kafka-3 and localhost) for TLS on every listener; the
 * brokers' PLAIN super user ({@code kafka.env}, {@code admin.properties}); each service's SCRAM login
 * ({@code <user>.env}) and every password for {@code kafka-init} ({@code users.properties}); and
 * {@code kafka-client.properties}, the read-only tools user's client settings for host tools on localhost:19092; and
 * a copy of the fleet key ring ({@code fleet.keys}) for config-service and the proxies.
 *
 * <p>The folder is its owner's only (mode 700). The files the containers read through bind mounts are mode 644
 * inside it: a container's user (1000 for Kafka, 1001 for kshift) is not the host's, and a bind-mounted file is
 * checked by its own mode only; other host users still cannot reach them through the folder. The env files are read
 * by compose itself, as the owner, and stay 600.
 */
final class ComposeBus {
    static final String DIR = "compose";
    /** Where every container sees the files it is given (the brokers, kafka-init, the services' CA). */
    static final String MOUNT = "/etc/kshift/kafka";
    static final List<String> BROKER_NAMES = List.of("kafka", "kafka-2", "kafka-3", "localhost");
    /** A new certificate once the broker's has less than this left (the CA is made anew with it). */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    static final Duration VALIDITY = Duration.ofDays(825);

    private ComposeBus() {
    }

    static Path dir(FleetLayout layout) {
        return layout.workDir().resolve(DIR);
    }

    /** The folder written, and whether its CA and broker certificate are new (running containers need recreating). */
    record Written(Path dir, boolean newCertificate) {
    }

    /** Writes (or brings up to date) the compose bus files of {@code layout}'s credentials. */
    static Written write(FleetLayout layout) {
        BusCredentials credentials = BusCredentials.of(layout);
        Written written = write(dir(layout), credentials.passwords(), credentials.password(BusCredentials.ADMIN));
        copyKeyRing(LocalCredentials.fleetKeys(layout), written.dir());
        return written;
    }

    /**
     * The fleet key ring as the containers read it: a copy in this folder, 644 like the broker's key (the services
     * run as uid 1001, which cannot read the host user's 600 original, and chowning that one to 1001 locked the host
     * user's own {@code ./kshift up} out of it). Written again by every {@code ./kshift keys}, so a ring with a new
     * key reaches compose with the next one.
     */
    static void copyKeyRing(Path ring, Path dir) {
        try {
            write(dir.resolve(LocalCredentials.FLEET_KEYS_FILE), Files.readString(ring), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + ring + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    static Written write(Path dir, Map<String, String> passwords, String adminPassword) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            boolean renew = needsCertificate(dir.resolve("kafka-broker.pem"));
            if (renew) {
                DemoPki ca = DemoPki.create("kshift compose Kafka CA", VALIDITY.plusDays(1));
                DemoPki.Issued broker = ca.issueWith("EC", VALIDITY, BROKER_NAMES.toArray(String[]::new));
                // Kafka's PEM key store: the private key (PKCS#8, unencrypted) followed by the certificate chain.
                write(dir.resolve("kafka-broker.pem"), broker.keyPem() + broker.certPem() + ca.caPem(), "rw-r--r--");
                write(dir.resolve("ca.crt"), ca.caPem(), "rw-r--r--");
            }
            String plainAdmin = BusCredentials.plainAdmin(adminPassword);
            StringBuilder brokerEnv = new StringBuilder("# The brokers' own login (compose env_file; the password is the"
                    + " super user's)\n");
            for (String listener : List.of("INTERNAL", "EXTERNAL", "CONTROLLER")) {
                brokerEnv.append("KAFKA_LISTENER_NAME_").append(listener).append("_PLAIN_SASL_JAAS_CONFIG=")
                        .append(quoted(plainAdmin)).append('\n');
            }
            write(dir.resolve("kafka.env"), brokerEnv.toString(), "rw-------");
            for (String user : MeshAcls.SERVICES) {
                write(dir.resolve(user + ".env"), "# " + user + "'s Kafka login (compose env_file)\nKAFKA_SASL_JAAS_CONFIG="
                        + quoted(BusCredentials.jaas(user, passwords.get(user))) + "\n", "rw-------");
            }
            Properties users = new Properties();
            users.putAll(passwords);
            write(dir.resolve("users.properties"), store(users, "The SCRAM users kafka-init makes (" + BusSetup.MECHANISM
                    + ")"), "rw-r--r--");
            Properties admin = tls(MOUNT + "/ca.crt");
            admin.put("sasl.mechanism", "PLAIN");
            admin.put("sasl.jaas.config", BusCredentials.plainLogin(adminPassword));
            write(dir.resolve("admin.properties"), store(admin, "The brokers' super user, inside the containers"
                    + " (kafka-init, health checks)"), "rw-r--r--");
            Properties tools = tls(dir.resolve("ca.crt").toAbsolutePath().toString());
            tools.put("bootstrap.servers", "localhost:19092");
            tools.put("sasl.mechanism", BusSetup.MECHANISM);
            tools.put("sasl.jaas.config", BusCredentials.jaas(MeshAcls.TOOLS, passwords.get(MeshAcls.TOOLS)));
            write(dir.resolve("kafka-client.properties"), store(tools, "Kafka client properties for host tools on the"
                    + " compose fleet (user " + MeshAcls.TOOLS + ": read-only)"), "rw-------");
            return new Written(dir, renew);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the compose Kafka files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Properties tls(String caFile) {
        Properties p = new Properties();
        p.put("security.protocol", "SASL_SSL");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", caFile);
        return p;
    }

    /**
     * A new pair unless the broker's certificate is there, names every broker, is signed by {@code ca.crt} (the two
     * are written one after the other: a half-written pair would fail every TLS connection) and has a while left.
     */
    static boolean needsCertificate(Path pem) throws IOException {
        Path caFile = pem.resolveSibling("ca.crt");
        if (!Files.exists(pem) || !Files.exists(caFile)) {
            return true;
        }
        try {
            String text = Files.readString(pem);
            int first = text.indexOf("-----BEGIN CERTIFICATE-----");
            List<X509Certificate> chain = first < 0 ? List.of() : DemoPki.certificates(text.substring(first));
            List<X509Certificate> ca = DemoPki.certificates(Files.readString(caFile));
            if (chain.isEmpty() || ca.size() != 1) {
                return true;
            }
            X509Certificate leaf = chain.get(0);
            leaf.verify(ca.get(0).getPublicKey());
            List<String> names = new java.util.ArrayList<>();
            if (leaf.getSubjectAlternativeNames() != null) {
                leaf.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
            }
            return !names.containsAll(BROKER_NAMES)
                    || leaf.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return true;
        }
    }

    /** Single quotes: compose takes the value literally (the JAAS lines hold double quotes and semicolons). */
    private static String quoted(String value) {
        if (value.contains("'")) {
            throw new IllegalArgumentException("a value for an env file with a single quote");
        }
        return "'" + value + "'";
    }

    /** Properties text, sorted and without store()'s date line: a rerun of keys rewrites the same bytes. */
    private static String store(Properties p, String comment) {
        StringBuilder sb = new StringBuilder("# ").append(comment).append('\n');
        new java.util.TreeSet<>(p.stringPropertyNames()).forEach(n -> {
            Properties one = new Properties();
            one.setProperty(n, p.getProperty(n));
            java.io.StringWriter w = new java.io.StringWriter();
            try {
                one.store(w, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            w.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> sb.append(l).append('\n'));
        });
        return sb.toString();
    }

    private static void write(Path file, String text, String mode) throws IOException {
        BusCredentials.writePrivate(file, w -> w.write(text));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
