package io.kshift.testkit;

import io.kshift.model.auth.LocalIssuer;
import io.kshift.model.auth.Role;
import io.kshift.model.auth.TokenClaims;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A token issuer for the tests of this JVM (one key pair, made at first use), and the Quarkus test resource that
 * makes a service under test (in-process or packaged) trust it. Tokens come from {@link #token}.
 */
public class TestIssuer implements QuarkusTestResourceLifecycleManager {
    private static final LocalIssuer ISSUER = LocalIssuer.ephemeral();
    private static final Path VERIFY_KEY = writeVerifyKey();
    private static final String FLEET_KEY_LINE = io.kshift.model.secret.FleetKeys.newKeyLine("test");
    private static final Path FLEET_KEYS = write("kshift-test-fleet", ".keys", FLEET_KEY_LINE + "\n");

    @Override
    public Map<String, String> start() {
        return properties();
    }

    @Override
    public void stop() {
        // The key is shared by every test class in this JVM.
    }

    /**
     * What a service needs to verify this issuer's tokens, and the fleet key ring of this JVM's tests (config-service
     * seals Secrets' keys with it, proxies open them; {@link #fleetKeys}).
     */
    public static Map<String, String> properties() {
        return Map.of("mp.jwt.verify.publickey.location", VERIFY_KEY.toString(),
                "mp.jwt.verify.issuer", TokenClaims.LOCAL_ISSUER,
                "kshift.secrets.key-file", FLEET_KEYS.toString());
    }

    /** The fleet key ring the services under test hold, for a test to seal (or open) as they do. */
    public static io.kshift.model.secret.FleetKeys fleetKeys() {
        return io.kshift.model.secret.FleetKeys.parse(FLEET_KEY_LINE);
    }

    /** A token for {@code subject} with {@code role} (null: a token with no kshift role at all). */
    public static String token(String subject, Role role, String... namespaces) {
        return ISSUER.mint(subject, role, List.of(namespaces), Duration.ofHours(1));
    }

    public static String admin() {
        return token("test-admin", Role.ADMIN);
    }

    /** A token for the same claims, signed by a key nobody trusts. */
    public static String forged(String subject, Role role) {
        return LocalIssuer.ephemeral().mint(subject, role, List.of(), Duration.ofHours(1));
    }

    private static Path writeVerifyKey() {
        return write("kshift-test-jwt", ".pem", ISSUER.publicKeyPem());
    }

    private static Path write(String prefix, String suffix, String text) {
        try {
            Path file = Files.createTempFile(prefix, suffix);
            Files.writeString(file, text);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
