package io.kshift.model.event;

import java.util.ArrayList;
import java.util.List;

/**
 * An event that names the fields its readers cannot do without. Anybody who can write a topic can write a record
 * that parses but lacks them ({@code {}} parses as any event); {@link EventCodec#decode} refuses such a record
 * instead of handing a reader nulls it would trip over later (a proxy status without {@code reportedAt} would break
 * every later fleet view).
 */
public interface CompleteEvent {
    /** The names of required fields that are missing or out of range; empty when the event is usable. */
    List<String> missingFields();

    /** What a generation's record (snapshot, summary) lacks: a generation of 1 or more, and its time. */
    static List<String> generationStamp(long generation, java.time.Instant createdAt) {
        List<String> missing = nulls("createdAt", createdAt);
        if (generation <= 0) {
            missing.add("generation");
        }
        return missing;
    }

    /** Collects the names whose values are null (name, value, name, value, ...). */
    static List<String> nulls(Object... namesAndValues) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] == null) {
                missing.add((String) namesAndValues[i]);
            }
        }
        return missing;
    }
}
