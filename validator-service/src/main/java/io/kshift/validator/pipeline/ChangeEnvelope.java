package io.kshift.validator.pipeline;

import io.kshift.model.codec.Codecs;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.validator.rules.ChangeValidator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.Operation;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a record on {@code kshift.changes} is a change at all. config-service writes well-formed ones, but any
 * producer with access to the topic can write anything; a record that is not a {@code ChangeRequested} with a
 * change id and an operation is rejected here, naming the field, before any rule sees it.
 */
final class ChangeEnvelope {
    private ChangeEnvelope() {
    }

    /** What is missing or wrong in a decoded change; empty when it can be validated. */
    static List<ValidationMessage> problems(ChangeRequested change) {
        List<ValidationMessage> out = new ArrayList<>();
        if (change.changeId() == null || change.changeId().isBlank()) {
            out.add(new ValidationMessage("change", "changeId", "is required"));
        }
        if (change.operation() == null) {
            out.add(new ValidationMessage("change", "operation", "is required: one of "
                    + Arrays.toString(Operation.values())));
        }
        if (change.resources().stream().anyMatch(r -> r == null || r.kind() == null)) {
            out.add(new ValidationMessage("change", "resources", "every resource needs a kind"));
        }
        return out;
    }

    /**
     * The record's value as text. JSON travels as UTF-8, and a byte that is not UTF-8 is refused (with its offset),
     * not replaced: decoded leniently, a change would be validated, and accepted, with characters its producer never
     * sent.
     */
    static String text(byte[] value) {
        if (value == null) {
            return null;
        }
        int malformed = firstMalformed(value);
        if (malformed >= 0) {
            throw new IllegalArgumentException("its value is not UTF-8 text (a malformed byte at offset "
                    + malformed + ")");
        }
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The offset of the first byte that is not UTF-8, or -1; checked in slices, as changes run to megabytes. */
    private static int firstMalformed(byte[] value) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(value);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(8192);
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        while (true) {
            java.nio.charset.CoderResult result = decoder.decode(in, out.clear(), true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return decoder.flush(out.clear()).isError() ? in.position() : -1;
            }
        }
    }

    /**
     * The change id in a record that does not decode as a change, when it has one and it is what was sent (a bad byte
     * elsewhere does not cost the submitter its answer; one in the id would answer under an id nobody sent).
     */
    static String changeIdOf(byte[] value) {
        String id = value == null ? null : changeIdOf(new String(value, java.nio.charset.StandardCharsets.UTF_8));
        return id == null || id.indexOf('\uFFFD') >= 0 ? null : id;
    }

    static String changeIdOf(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            var id = Codecs.json().readTree(raw).path("changeId");
            return id.isTextual() && !id.asText().isBlank() ? id.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    static String notAChange(String why) {
        return "not a " + Schemas.CHANGE_REQUESTED + ": " + why;
    }

    static ChangeLoop.Verdict rejected(MeshSnapshot current, ConsumerRecord<String, byte[]> record, String changeId,
                                    List<ValidationMessage> errors, String deadLetter) {
        String id = changeId == null || changeId.isBlank() ? "offset-" + record.offset() : changeId;
        return new ChangeLoop.Verdict(new ChangeValidator.Decision(new ChangeResult(Schemas.CHANGE_RESULT, id,
                ChangeStatus.REJECTED, current.generation(), false, List.of(), errors, List.of(),
                java.time.Instant.now()), java.util.Optional.empty()), deadLetter);
    }

    /**
     * A change that read well but could not be decided (the validator failed on it): rejected as {@link #rejected},
     * keeping who sent it and whether it was a dry run, so its submitter (and a token scoped to namespaces) finds the
     * verdict and a dry run is answered as one.
     */
    static ChangeLoop.Verdict failed(MeshSnapshot current, ConsumerRecord<String, byte[]> record,
                                     io.kshift.model.event.ChangeRequested change, List<ValidationMessage> errors,
                                     String deadLetter) {
        ChangeResult plain = rejected(current, record, change.changeId(), errors, deadLetter).decision().result();
        return new ChangeLoop.Verdict(new ChangeValidator.Decision(new ChangeResult(Schemas.CHANGE_RESULT,
                plain.changeId(), ChangeStatus.REJECTED, plain.generation(), change.dryRun(), List.of(), errors,
                List.of(), plain.decidedAt(), 0, change.submittedBy()), java.util.Optional.empty()), deadLetter);
    }

    /** The record as it came (its value's bytes, its key), with where it came from and why it is here. */
    static ProducerRecord<String, byte[]> deadLetter(String deadLetterTopic, ConsumerRecord<String, byte[]> record,
                                                     String why) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        record.headers().forEach(h -> out.headers().add(h));
        out.headers().add("kshift-dlq-reason", why.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.headers().add("kshift-dlq-source", (record.topic() + "/" + record.partition() + "@" + record.offset())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }
}
