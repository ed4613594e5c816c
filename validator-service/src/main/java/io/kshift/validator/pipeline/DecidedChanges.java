package io.kshift.validator.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the changes a change loop decided lately (the newest {@value #REMEMBERED}), so a change that reaches
 * the bus twice (an {@code Idempotency-Key} retry through another config-service) is decided once. In memory: a
 * validator that takes over starts without them. Change-loop thread only.
 */
final class DecidedChanges {
    static final int REMEMBERED = 10_000;

    private final Map<String, Boolean> ids = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    boolean contains(String changeId) {
        return ids.containsKey(changeId);
    }

    /** Called once the decision's transaction committed: an aborted one is decided again. */
    void add(String changeId) {
        ids.put(changeId, Boolean.TRUE);
    }
}
