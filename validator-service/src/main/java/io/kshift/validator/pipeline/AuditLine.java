package io.kshift.validator.pipeline;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ValidationMessage;
import java.util.stream.Collectors;

/**
 * The audit trail's line for one decision: who asked, what they asked for, and what was decided, e.g.
 * {@code change 3f2a… by alice: ACCEPTED generation 12 [VirtualService default/tcp-echo CONFIGURED]}. Names and
 * messages are quoted as they came: a subject or a resource name cannot forge a second line.
 */
final class AuditLine {
    private AuditLine() {
    }

    static String of(ChangeResult result, int snapshotBytes) {
        StringBuilder line = new StringBuilder("change ").append(clean(result.changeId())).append(" by ")
                .append(result.submittedBy() == null ? "(unknown)" : clean(result.submittedBy())).append(": ")
                .append(result.dryRun() ? "dry run " : "").append(result.status()).append(" generation ")
                .append(result.generation()).append(' ')
                .append(listed(result.resources().stream().map(AuditLine::action).toList(), ", "));
        if (!result.errors().isEmpty()) {
            line.append(" errors ").append(listed(result.errors().stream().map(AuditLine::message).toList(), "; "));
        }
        return line.append(" (decided in ").append(result.validationMillis()).append(" ms, snapshot ")
                .append(snapshotBytes).append(" bytes)").toString();
    }

    /** At most {@value #LISTED} items, then how many more: a 900-resource load is one readable line. */
    private static String listed(java.util.List<String> items, String separator) {
        String shown = items.stream().limit(LISTED).collect(Collectors.joining(separator, "[", ""));
        return shown + (items.size() > LISTED ? separator + "and " + (items.size() - LISTED) + " more]" : "]");
    }

    private static final int LISTED = 20;

    private static String action(ResourceAction a) {
        return clean(a.kind() + " " + a.namespace() + "/" + a.name() + " " + a.action());
    }

    private static String message(ValidationMessage m) {
        return clean(m.resource() + " " + m.field() + ": " + m.message());
    }

    /** Control characters (a newline in a subject) become visible escapes. */
    static String clean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
