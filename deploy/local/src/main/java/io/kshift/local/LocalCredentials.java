package io.kshift.local;

import io.kshift.model.auth.LocalIssuer;
import io.kshift.model.auth.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local fleet's credentials, all under {@code .kshift/}: the token signing key pair ({@code jwt/}, the private
 * half readable by its owner only), the admin token {@code ./kshift up} writes to {@code token} (mode 600), and the
 * token every command of this launcher sends: {@code $KSHIFT_TOKEN} if set, else that file.
 */
public final class LocalCredentials {
    public static final String TOKEN_FILE = "token";
    static final Duration ADMIN_TOKEN_TTL = Duration.ofDays(30);

    private LocalCredentials() {
    }

    /** Where the services read the verification key from (it exists once {@link #issuer} ran). */
    public static Path verifyKey(FleetLayout layout) {
        return layout.workDir().resolve("jwt").resolve(LocalIssuer.VERIFY_KEY);
    }

    public static LocalIssuer issuer(FleetLayout layout) {
        return LocalIssuer.in(layout.workDir().resolve("jwt"));
    }

    /** The admin token as a header line, for {@code curl -H @.kshift/auth-header} (never on a command line). */
    public static final String AUTH_HEADER_FILE = "auth-header";

    /**
     * A fresh admin token in {@code .kshift/token}, and as a header in {@code .kshift/auth-header}, each readable by
     * its owner only: a token spelled out on curl's command line ({@code -H "Authorization: Bearer $(cat ...)"}) is
     * in {@code /proc/PID/cmdline} for every local user to read. Returns the token's path.
     */
    public static Path writeAdminToken(FleetLayout layout) {
        String token = issuer(layout).mint("local-admin", Role.ADMIN, List.of(), ADMIN_TOKEN_TTL);
        Path file = layout.workDir().resolve(TOKEN_FILE);
        try {
            BusCredentials.writePrivate(file, w -> w.write(token + "\n"));
            BusCredentials.writePrivate(layout.workDir().resolve(AUTH_HEADER_FILE),
                    w -> w.write("Authorization: Bearer " + token + "\n"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static final String FLEET_KEYS_FILE = "fleet.keys";

    /**
     * The fleet key ring that seals Secrets' private keys ({@code .kshift/fleet.keys}, mode 600), made once: a key
     * that changed would leave every sealed key unreadable. Given to config-service (seals) and the proxies (open);
     * the validator and telemetry never get it.
     */
    public static Path fleetKeys(FleetLayout layout) {
        Path file = layout.workDir().resolve(FLEET_KEYS_FILE);
        try {
            if (!Files.exists(file)) {
                String line = io.kshift.model.secret.FleetKeys.newKeyLine("local-" + java.time.LocalDate.now());
                BusCredentials.writePrivate(file, w -> w.write("# kshift fleet key ring: '<id> <base64 key>' per line,"
                        + " the first seals; keep old lines to open what they sealed\n" + line + "\n"));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The token commands send: {@code $KSHIFT_TOKEN}, else {@code .kshift/token}; empty if neither exists. */
    public static String token(FleetLayout layout) {
        String env = System.getenv("KSHIFT_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = layout.workDir().resolve(TOKEN_FILE);
        try {
            return Files.exists(file) ? Files.readString(file).trim() : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
