package io.kshift.model.istio;

import io.kshift.model.Lists;
import java.util.List;
import java.util.Map;

/** Header edits, applied in Envoy's order: remove, then set (replace), then add (append). */
public record HeaderOperations(@io.kshift.model.constraint.HeaderFields Map<String, String> set,
                               @io.kshift.model.constraint.HeaderFields Map<String, String> add,
                               @io.kshift.model.constraint.HeaderFields List<String> remove) {
    public HeaderOperations {
        set = Lists.copy(set);
        add = Lists.copy(add);
        remove = Lists.copy(remove);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
}
