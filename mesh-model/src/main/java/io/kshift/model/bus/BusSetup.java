package io.kshift.model.bus;

import io.kshift.model.event.MeshTopics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * Makes a broker kshift's bus, as its super user: the topics of {@link MeshTopics}, a SCRAM-SHA-512 user per
 * service with the given passwords, and the ACLs of {@link MeshAcls}. Idempotent: run at every start, it brings an
 * existing cluster to the current definition. The one way it is done: {@code ./kshift up} calls it in-process, and
 * compose's {@code kafka-init} step runs {@link #main} from a kshift image (where the Kafka CLI would have put the
 * passwords on command lines).
 */
public final class BusSetup {
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** telemetry-service's Kafka Streams application id (its application.properties). */
    public static final String TELEMETRY_APP_ID = "kshift-telemetry";

    private BusSetup() {
    }

    /** Topics, users and ACLs; {@code passwords} by user name, one for each of {@link MeshAcls#SERVICES}. */
    public static void apply(Admin admin, short replicationFactor, Map<String, String> passwords) throws Exception {
        MeshTopics.ensure(admin, replicationFactor);
        ensureUsers(admin, passwords);
        admin.createAcls(MeshAcls.all(TELEMETRY_APP_ID)).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Makes (or remakes) every service's SCRAM user through the Admin API and waits until the broker knows them all:
     * a user added to {@link MeshAcls} later is made on the next run.
     */
    static void ensureUsers(Admin admin, Map<String, String> passwords) throws Exception {
        checkPasswords(passwords);
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        for (String user : MeshAcls.SERVICES) {
            String password = passwords.get(user);
            upserts.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
        }
        admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!known(admin)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not take the SCRAM users");
            }
            Thread.sleep(100);
        }
    }

    private static void checkPasswords(Map<String, String> passwords) {
        for (String user : MeshAcls.SERVICES) {
            String password = passwords.get(user);
            if (password == null || password.isBlank()) {
                throw new IllegalArgumentException("no password for Kafka user " + user);
            }
        }
    }

    private static boolean known(Admin admin) throws InterruptedException {
        try {
            return admin.describeUserScramCredentials(MeshAcls.SERVICES).all().get(5, TimeUnit.SECONDS).size()
                    == MeshAcls.SERVICES.size();
        } catch (ExecutionException | TimeoutException e) {
            return false; // a user not there yet
        }
    }

    /**
     * compose's {@code kafka-init}: {@code KAFKA_BOOTSTRAP_SERVERS}; {@code KSHIFT_BUS_ADMIN}, a client properties
     * file logging in as the super user; {@code KSHIFT_BUS_USERS}, a properties file of user = password;
     * {@code KSHIFT_BUS_BROKERS}, how many brokers to wait for (also the topics' replication factor; default 1).
     * Waits up to {@code KSHIFT_BUS_WAIT} (default 5m) for the cluster. Exit 0 once done, 1 with the reason if not.
     */
    public static void main(String[] args) {
        try {
            Map<String, String> env = System.getenv();
            int brokers = Integer.parseInt(env.getOrDefault("KSHIFT_BUS_BROKERS", "1"));
            Duration wait = Duration.parse("PT" + env.getOrDefault("KSHIFT_BUS_WAIT", "5m").toUpperCase());
            Map<String, Object> admin = new TreeMap<>();
            admin.putAll(load(Path.of(required(env, "KSHIFT_BUS_ADMIN"))));
            admin.put("bootstrap.servers", required(env, "KAFKA_BOOTSTRAP_SERVERS"));
            Map<String, String> passwords = load(Path.of(required(env, "KSHIFT_BUS_USERS")));
            run(admin, brokers, passwords, wait, () -> { }, System.err::println);
            System.out.println("kshift bus ready on " + admin.get("bootstrap.servers") + ": topics "
                    + MeshTopics.all().stream().map(t -> t.name()).toList() + ", users " + MeshAcls.SERVICES + ", "
                    + MeshAcls.all(TELEMETRY_APP_ID).size() + " ACLs");
            System.exit(0);
        } catch (Exception e) {
            System.err.println("kshift bus setup failed: " + causes(e));
            System.exit(1);
        }
    }

    /**
     * Waits until {@code brokers} brokers answer, then {@link #apply}; retries until {@code wait} has passed, but not
     * what no retry mends ({@link #permanent}). {@code beforeEachTry} may throw to give up (a broker process that
     * exited); {@code progress} hears why a try failed, once per new reason.
     */
    public static void run(Map<String, Object> adminConfig, int brokers, Map<String, String> passwords, Duration wait,
                           Runnable beforeEachTry, java.util.function.Consumer<String> progress) throws Exception {
        checkPasswords(passwords);
        Map<String, Object> config = new TreeMap<>(adminConfig);
        config.putIfAbsent("request.timeout.ms", 3000);
        config.putIfAbsent("default.api.timeout.ms", 5000);
        long deadline = System.nanoTime() + wait.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            beforeEachTry.run();
            try (Admin admin = Admin.create(config)) {
                int up = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (up < brokers) {
                    throw new IllegalStateException(up + " of " + brokers + " brokers up");
                }
                apply(admin, (short) brokers, passwords);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                if (permanent(e)) {
                    throw e; // a wrong password or setting: waiting will not mend it
                }
                if (last == null || !causes(last).equals(causes(e))) {
                    progress.accept("kshift bus setup: not yet (" + causes(e) + "); retrying");
                }
                last = e;
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("Kafka was not ready in " + wait, last);
    }

    /** Failures no retry mends: the super user's login refused, a client setting Kafka rejects, bad input. */
    static boolean permanent(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.AuthenticationException
                    || c instanceof org.apache.kafka.common.errors.AuthorizationException
                    || c instanceof org.apache.kafka.common.config.ConfigException
                    || c instanceof org.apache.kafka.common.errors.InvalidConfigurationException
                    || c instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    /** An exception and its causes, one line: "Failed to create new KafkaAdminClient" alone says nothing. */
    static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" <- ").append(c);
        }
        return sb.toString();
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }

    private static Map<String, String> load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(n -> out.put(n, p.getProperty(n)));
        return out;
    }
}
