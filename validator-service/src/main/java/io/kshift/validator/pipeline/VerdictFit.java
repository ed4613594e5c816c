package io.kshift.validator.pipeline;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A verdict made to fit on the bus. Nothing bounds a verdict but the change behind it: a dry run of a rollback on
 * 20,000 resources carries every resource's diff (7.6 MB measured), and a change of tens of thousands of resources
 * lists each one and each finding. A record over the bus's limit fails its transaction, and the change would be
 * decided again, and fail again, for ever, with every later change waiting behind it. So a verdict that does not
 * fit first loses its dry-run diffs, then the tails of its lists of resources, warnings and errors (the first ones
 * stay, in order), each loss said in a warning, until it fits. What was decided does not change.
 */
final class VerdictFit {
    private VerdictFit() {
    }

    /** The verdict encoded as it travels: UTF-8 JSON. */
    static byte[] encode(ChangeResult result) {
        return EventCodec.encode(result).getBytes(StandardCharsets.UTF_8);
    }

    /** A verdict and its encoding, made once: measuring it is encoding it. */
    record Fitted(ChangeResult result, byte[] bytes) {
        static Fitted of(ChangeResult result) {
            return new Fitted(result, encode(result));
        }
    }

    /** {@code result} itself when its encoding takes at most {@code limit} bytes, else a trimmed copy that does. */
    static Fitted fit(ChangeResult result, int limit) {
        Fitted whole = Fitted.of(result);
        int size = whole.bytes().length;
        if (size <= limit) {
            return whole;
        }
        List<ValidationMessage> notes = new ArrayList<>();
        ChangeResult out = result;
        if (result.resources().stream().anyMatch(a -> a.diff() != null)) {
            notes.add(note("the resources' dry-run diffs are left out: the verdict would be " + size
                    + " bytes, over the " + limit + " the bus carries"));
            out = out.withoutDiffs();
            Fitted withoutDiffs = Fitted.of(with(out, notes));
            if (withoutDiffs.bytes().length <= limit) {
                return withoutDiffs;
            }
        }
        // Halve the longest list until the rest fits; the notes say how much of each is listed.
        List<ResourceAction> resources = out.resources();
        List<ValidationMessage> errors = out.errors();
        List<ValidationMessage> warnings = out.warnings();
        int keepResources = resources.size();
        int keepErrors = errors.size();
        int keepWarnings = warnings.size();
        while (true) {
            Fitted trimmed = Fitted.of(trimmed(out, notes, resources, keepResources, errors, keepErrors, warnings,
                    keepWarnings));
            if (trimmed.bytes().length <= limit || keepResources + keepErrors + keepWarnings == 0) {
                return trimmed;
            }
            if (keepResources >= keepErrors && keepResources >= keepWarnings) {
                keepResources /= 2;
            } else if (keepWarnings >= keepErrors) {
                keepWarnings /= 2;
            } else {
                keepErrors /= 2;
            }
        }
    }

    private static ChangeResult trimmed(ChangeResult out, List<ValidationMessage> notes,
                                        List<ResourceAction> resources, int keepResources,
                                        List<ValidationMessage> errors, int keepErrors,
                                        List<ValidationMessage> warnings, int keepWarnings) {
        List<ValidationMessage> said = new ArrayList<>(notes);
        if (keepResources < resources.size()) {
            said.add(note("only the first " + keepResources + " of the " + resources.size()
                    + " resources' actions are listed: the verdict would not fit on the bus"));
        }
        if (keepWarnings < warnings.size()) {
            said.add(note("only the first " + keepWarnings + " of " + warnings.size() + " warnings are listed"));
        }
        List<ValidationMessage> keptErrors = new ArrayList<>(errors.subList(0, keepErrors));
        if (keepErrors < errors.size()) {
            // An error, not a warning: a rejected change must still say it was rejected for more than is shown.
            keptErrors.add(new ValidationMessage("change", "", "and " + (errors.size() - keepErrors)
                    + " more errors, left out: the verdict would not fit on the bus"));
        }
        List<ValidationMessage> keptWarnings = new ArrayList<>(warnings.subList(0, keepWarnings));
        keptWarnings.addAll(said);
        return new ChangeResult(out.schema(), out.changeId(), out.status(), out.generation(), out.dryRun(),
                resources.subList(0, keepResources), keptErrors, keptWarnings, out.decidedAt(),
                out.validationMillis(), out.submittedBy());
    }

    private static ChangeResult with(ChangeResult out, List<ValidationMessage> notes) {
        List<ValidationMessage> warnings = new ArrayList<>(out.warnings());
        warnings.addAll(notes);
        return new ChangeResult(out.schema(), out.changeId(), out.status(), out.generation(), out.dryRun(),
                out.resources(), out.errors(), warnings, out.decidedAt(), out.validationMillis(), out.submittedBy());
    }

    private static ValidationMessage note(String message) {
        return new ValidationMessage("change", "", message);
    }
}
