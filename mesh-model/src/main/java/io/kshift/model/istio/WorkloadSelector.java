package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import java.util.Map;

/** Selects WorkloadEntries by labels. */
public record WorkloadSelector(@LabelMap Map<String, String> labels) {
    public WorkloadSelector {
        labels = Lists.copy(labels);
    }
}
