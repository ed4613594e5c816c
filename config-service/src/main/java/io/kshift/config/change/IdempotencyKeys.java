package io.kshift.config.change;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code Idempotency-Key} on writes: a retried request gets the first one's answer and makes no second change.
 * The key is scoped to the caller (the token's subject) and names the change: its changeId is derived from caller
 * and key, so any config-service instance, also after a restart, finds the first change's verdict in the results
 * topic and answers with it, and a duplicate that still reaches the bus is recognised by the validator as the
 * same change. What the first request asked for is remembered here (a hash of operation, query and body) to refuse
 * the same key with a different request (422), for the most recent {@value #REMEMBERED} keys of this instance.
 */
@ApplicationScoped
public class IdempotencyKeys {
    public static final String HEADER = "Idempotency-Key";
    /** What a changeId named by a key starts with (random ones are bare UUIDs, so the two never collide). */
    static final String PREFIX = "idem-";
    static final int REMEMBERED = 10_000;
    static final int MAX_LENGTH = 255;

    /** What a request with a key is: the first with it, a repeat of that one, or another request under its key. */
    public enum Claim { FIRST, REPEAT, MISUSED }

    private final Map<String, String> requests = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Why a header value is not a usable key, if it is not: 1–255 visible ASCII characters. */
    static Optional<String> problem(String key) {
        if (key.isEmpty() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return Optional.of(HEADER + " must be 1 to " + MAX_LENGTH + " visible ASCII characters");
        }
        return Optional.empty();
    }

    /** The changeId a caller's key names, the same on every instance. */
    static String changeId(String subject, String key) {
        return PREFIX + UUID.nameUUIDFromBytes((subject + '\0' + key).getBytes(StandardCharsets.UTF_8));
    }

    /** A digest of what the request asks for: operation, the query that shapes the change, content type and body. */
    static String fingerprint(String operation, String query, String contentType, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {operation, query, contentType}) {
                digest.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            digest.update(body == null ? new byte[0] : body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Records the first request under {@code changeId}; says whether this one is it, a repeat of it, or a different
     * request under the same key. A key this instance does not remember counts as first: the verdict, if the
     * change was made, is found by its changeId all the same.
     */
    /**
     * Forgets the request under {@code changeId}: it was answered here without reaching the bus (Kafka refused it,
     * or a conflict was known at once), so a retry must be submitted, not waited for.
     */
    public synchronized void release(String changeId) {
        if (changeId != null) {
            requests.remove(changeId);
        }
    }

    public synchronized Claim claim(String changeId, String fingerprint) {
        String first = requests.putIfAbsent(changeId, fingerprint);
        if (first == null) {
            return Claim.FIRST;
        }
        return first.equals(fingerprint) ? Claim.REPEAT : Claim.MISUSED;
    }

    /** What a write does about its {@code Idempotency-Key}: the change id to use, or the refusal to answer. */
    public record Keyed(String changeId, boolean repeat, jakarta.ws.rs.core.Response refusal) {

        /** Whether the answer is an earlier request's (header {@code Idempotent-Replayed}). */
        public boolean replayed(io.kshift.config.bus.ChangeLedger ledger) {
            return changeId != null && (repeat || ledger.result(changeId).isPresent());
        }
    }

    /** {@code key}: the header's value or null; the rest: what the request asks for, to tell a reuse. */
    public Keyed keyed(String key, String subject, String operation, String query, String contentType, byte[] body) {
        if (key == null) {
            // A new change's id, chosen here so that an answer about it can name it even when Kafka fails to confirm.
            return new Keyed(java.util.UUID.randomUUID().toString(), false, null);
        }
        if (subject == null || subject.isBlank() || subject.equals(io.kshift.model.auth.Grant.NO_SUBJECT)) {
            // Keys are scoped to the caller: without a subject every such caller would share one key space.
            return new Keyed(null, false, ChangeResource.problem(400, HEADER + " needs a token with a subject"));
        }
        Optional<String> problem = problem(key);
        if (problem.isPresent()) {
            return new Keyed(null, false, ChangeResource.problem(400, problem.get()));
        }
        String changeId = changeId(subject, key);
        String mediaType = contentType == null ? null : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        return switch (claim(changeId, fingerprint(operation, query, mediaType, body))) {
            case FIRST -> new Keyed(changeId, false, null);
            case REPEAT -> new Keyed(changeId, true, null);
            case MISUSED -> new Keyed(null, false, ChangeResource.problem(422, "this " + HEADER
                    + " was used for a different request (another operation, query or body); use a new key"));
        };
    }
}
