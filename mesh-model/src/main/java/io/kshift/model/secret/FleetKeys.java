package io.kshift.model.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fleet's keys for Secrets' private entries: config-service seals them before a change reaches Kafka, proxies
 * open them to serve TLS; the validator, telemetry and anyone else reading the topics see only
 * {@code sealed:v1:<key id>:<data>}. A key file holds one key per line, {@code <id> <base64 of 32 bytes>}; the first
 * seals, every one opens, so a key is rotated by putting a new one first, restarting, and re-applying the Secrets.
 *
 * <p>Sealing is deterministic (AES-256-GCM with the nonce derived from the value and its place by HMAC-SHA256, the
 * SIV construction), so applying the same Secret twice is "unchanged" rather than a new generation; it reveals
 * only whether two values in the same place are equal. The place ({@code namespace/name/entry}) is bound as
 * associated data: a sealed value copied into another Secret does not open.
 */
public final class FleetKeys {
    public static final String PREFIX = "sealed:v1:";
    private static final int NONCE = 12;
    private final Map<String, Key> keys;
    private final String current;

    private record Key(SecretKeySpec enc, SecretKeySpec nonce) {
    }

    private FleetKeys(Map<String, Key> keys, String current) {
        this.keys = keys;
        this.current = current;
    }

    /** No keys: Secrets cannot be sealed or opened (each attempt says so). */
    public static FleetKeys none() {
        return new FleetKeys(Map.of(), null);
    }

    /**
     * Reads a key file; no path, or a path with no file (a Kubernetes Secret not created), is {@link #none()}:
     * Secrets are then refused with a message saying so, rather than the service not starting.
     */
    public static FleetKeys load(Optional<String> file) {
        if (file.isEmpty() || file.get().isBlank() || !Files.exists(Path.of(file.get()))) {
            return none();
        }
        try {
            return parse(Files.readString(Path.of(file.get()), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fleet key file " + file.get() + ": " + e.getMessage(), e);
        }
    }

    /** Parses key-file text: {@code <id> <base64 key>} per line, {@code #} comments; the first key seals. */
    public static FleetKeys parse(String text) {
        Map<String, Key> out = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9._-]{1,32}")) {
                throw new IllegalArgumentException("a fleet key line is '<id> <base64 of 32 bytes>', id of letters,"
                        + " digits, '.', '_' or '-'");
            }
            byte[] secret = Base64.getDecoder().decode(parts[1]);
            if (secret.length != 32) {
                throw new IllegalArgumentException("fleet key '" + parts[0] + "' is " + secret.length
                        + " bytes; it must be 32");
            }
            out.put(parts[0], new Key(new SecretKeySpec(derive(secret, "kshift secret seal"), "AES"),
                    new SecretKeySpec(derive(secret, "kshift secret nonce"), "HmacSHA256")));
        }
        return out.isEmpty() ? none() : new FleetKeys(Map.copyOf(out), out.keySet().iterator().next());
    }

    /** A new key-file line: {@code <id> <32 random bytes, base64>}. */
    public static String newKeyLine(String id) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return id + " " + Base64.getEncoder().encodeToString(secret);
    }

    public boolean canSeal() {
        return current != null;
    }

    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** {@code plain} sealed for {@code place} ({@code namespace/name/entry}) with the current key. */
    public String seal(String place, byte[] plain) {
        if (current == null) {
            throw new SealException("no fleet key is configured (kshift.secrets.key-file), so Secrets cannot be stored");
        }
        Key key = keys.get(current);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key.nonce());
            mac.update(place.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] nonce = java.util.Arrays.copyOf(mac.doFinal(plain), NONCE);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key.enc(), new GCMParameterSpec(128, nonce));
            c.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain);
            byte[] out = new byte[NONCE + ct.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(ct, 0, out, NONCE, ct.length);
            return PREFIX + current + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * The id of the key a value was sealed with ({@code sealed:v1:<id>:...}); empty for a value not sealed. Two seals
     * under one key are equal exactly when their values and places are.
     */
    public static String keyId(String value) {
        if (!isSealed(value)) {
            return "";
        }
        String rest = value.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? "" : rest.substring(0, colon);
    }

    /** The plain bytes of a value sealed for {@code place}; fails naming why (unknown key, tampered, moved). */
    public byte[] open(String place, String sealed) {
        if (!isSealed(sealed)) {
            throw new SealException("is not a sealed value");
        }
        String rest = sealed.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new SealException("is not a sealed value");
        }
        Key key = keys.get(rest.substring(0, colon));
        if (key == null) {
            throw new SealException("was sealed with fleet key '" + rest.substring(0, colon)
                    + "', which this service does not hold" + (keys.isEmpty() ? " (it holds none)" : ""));
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
            if (in.length <= NONCE) {
                throw new SealException("is not a sealed value");
            }
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key.enc(), new GCMParameterSpec(128, in, 0, NONCE));
            c.updateAAD(place.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(in, NONCE, in.length - NONCE);
        } catch (javax.crypto.AEADBadTagException | IllegalArgumentException e) {
            throw new SealException("does not open with fleet key '" + rest.substring(0, colon)
                    + "' (altered, or sealed for another Secret)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Where a Secret's entry is sealed for, and bound to: {@code namespace/name/entry}. */
    public static String place(io.kshift.model.resource.Resource secret, String entry) {
        return secret.namespace() + "/" + secret.name() + "/" + entry;
    }

    /**
     * A Secret's private entry as text, opened. Only sealed values are taken: config-service seals every private
     * entry, so one in the clear did not come from it.
     */
    public String openEntry(io.kshift.model.resource.Resource secret, String entry) {
        String value = ((SecretSpec) secret.spec()).data().get(entry);
        if (!isSealed(value)) {
            throw new SealException("is not sealed");
        }
        return new String(open(place(secret, entry), value), StandardCharsets.US_ASCII);
    }

    /** The key ids, the sealing one first. */
    public List<String> ids() {
        List<String> out = new ArrayList<>();
        if (current != null) {
            out.add(current);
            keys.keySet().stream().filter(k -> !k.equals(current)).sorted().forEach(out::add);
        }
        return out;
    }

    private static byte[] derive(byte[] secret, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why a value could not be sealed or opened. */
    public static final class SealException extends RuntimeException {
        public SealException(String message) {
            super(message);
        }
    }
}
