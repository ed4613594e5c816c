package io.kshift.local;

import io.kshift.model.bus.BusSetup;
import io.kshift.model.bus.MeshAcls;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local broker's SCRAM users and what each client needs to log in, all under {@code .kshift/} and readable by
 * their owner only: {@code kafka/credentials.properties} (every user's password, made once),
 * {@code kafka/clients/<user>.properties} (a Quarkus service's {@code kafka.*} settings, passed with
 * {@code quarkus.config.locations}) and {@code kafka-client.properties} (standard client properties for local tools:
 * the read-only {@value MeshAcls#TOOLS} user), and {@code kafka/admin-client.properties} (the broker's super user, for
 * repairs and experiments).
 */
final class BusCredentials {
    static final String ADMIN = "admin";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final FleetLayout layout;
    private final Map<String, String> passwords;

    private BusCredentials(FleetLayout layout, Map<String, String> passwords) {
        this.layout = layout;
        this.passwords = passwords;
    }

    static Path file(FleetLayout layout) {
        return layout.workDir().resolve("kafka").resolve("credentials.properties");
    }

    /** The users' passwords, made (and the client files written) on first use. */
    static BusCredentials of(FleetLayout layout) {
        Path file = file(layout);
        Map<String, String> passwords = new HashMap<>();
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                p.stringPropertyNames().forEach(n -> passwords.put(n, p.getProperty(n)));
            }
            boolean added = false;
            List<String> users = new ArrayList<>(MeshAcls.SERVICES);
            users.add(ADMIN);
            for (String user : users) {
                if (!passwords.containsKey(user)) {
                    passwords.put(user, password());
                    added = true;
                }
            }
            if (added) {
                Properties p = new Properties();
                p.putAll(passwords);
                writePrivate(file, w -> p.store(w, "SCRAM users of the local broker (" + BusSetup.MECHANISM + ")"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + file + ": " + e.getMessage(), e);
        }
        BusCredentials credentials = new BusCredentials(layout, passwords);
        credentials.writeClientFiles();
        return credentials;
    }

    String password(String user) {
        return passwords.get(user);
    }

    /** The standard client settings (no prefix) for {@code user}: SCRAM, or PLAIN for the broker's admin. */
    Map<String, Object> client(String user) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", layout.bootstrapServers());
        c.put("security.protocol", "SASL_PLAINTEXT");
        boolean admin = user.equals(ADMIN);
        c.put("sasl.mechanism", admin ? "PLAIN" : BusSetup.MECHANISM);
        c.put("sasl.jaas.config", admin ? plainLogin(passwords.get(ADMIN)) : jaas(user, passwords.get(user)));
        return c;
    }

    /** The client side of the admin's PLAIN login. */
    static String plainLogin(String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + password + "\";";
    }

    /** The broker side of the admin's PLAIN login: the only PLAIN user there is. */
    static String plainAdmin(String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + password + "\" user_" + ADMIN + "=\"" + password + "\";";
    }

    /** The services' passwords by user (the admin's is not among them: it logs in with PLAIN). */
    Map<String, String> passwords() {
        Map<String, String> out = new java.util.TreeMap<>();
        MeshAcls.SERVICES.forEach(u -> out.put(u, passwords.get(u)));
        return out;
    }

    /** What a Quarkus service of the fleet passes as {@code -Dquarkus.config.locations}. */
    static Path serviceFile(FleetLayout layout, String user) {
        return layout.workDir().resolve("kafka").resolve("clients").resolve(user + ".properties");
    }

    /** The system property that gives a Quarkus service of the fleet its Kafka login. */
    static String serviceLogin(FleetLayout layout, String user) {
        return "-Dquarkus.config.locations=" + serviceFile(layout, user).toUri();
    }

    /** Client properties of the read-only tools user, for the launcher's own readers. */
    static Properties tools(FleetLayout layout) {
        Properties p = new Properties();
        p.putAll(of(layout).client(MeshAcls.TOOLS));
        return p;
    }

    static Path adminFile(FleetLayout layout) {
        return layout.workDir().resolve("kafka").resolve("admin-client.properties");
    }

    static Path toolsFile(FleetLayout layout) {
        return layout.workDir().resolve("kafka-client.properties");
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private void writeClientFiles() {
        try {
            for (String user : MeshAcls.SERVICES) {
                Properties p = new Properties();
                client(user).forEach((k, v) -> {
                    if (!k.equals("bootstrap.servers")) {
                        p.put("kafka." + k, String.valueOf(v));
                    }
                });
                writePrivate(serviceFile(layout, user), w -> p.store(w, "Kafka credentials of " + user));
            }
            Properties tools = new Properties();
            client(MeshAcls.TOOLS).forEach((k, v) -> tools.put(k, String.valueOf(v)));
            writePrivate(toolsFile(layout), w -> tools.store(w, "Kafka client properties for local tools (user "
                    + MeshAcls.TOOLS + ": read-only), e.g. --command-config / --consumer.config"));
            Properties admin = new Properties();
            client(ADMIN).forEach((k, v) -> admin.put(k, String.valueOf(v)));
            writePrivate(adminFile(layout), w -> admin.store(w, "The local broker's super user: for repairs and"
                    + " experiments only (it may write any topic)"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kafka client files: " + e.getMessage(), e);
        }
    }

    interface Body {
        void write(Writer w) throws IOException;
    }

    /** Writes {@code file} readable by its owner only (it holds a secret), atomically. */
    static void writePrivate(Path file, Body body) throws IOException {
        Files.createDirectories(file.getParent());
        // A temporary name of its own: two commands writing the same file at once must not take each other's.
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp)) {
            body.write(w);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String password() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
