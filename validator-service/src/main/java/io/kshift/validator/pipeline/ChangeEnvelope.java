package io.kshift.validator.pipeline;

import io.kshift.model.codec.Codecs;
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

    /** The change id in a record that does not decode as a change, when it has one; null otherwise. */
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
}
