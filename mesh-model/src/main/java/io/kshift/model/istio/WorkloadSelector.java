package io.kshift.model.istio;

import io.kshift.model.Lists;
import java.util.Map;

/** Selects WorkloadEntries by labels. */
public record WorkloadSelector(Map<String, String> labels) {
    public WorkloadSelector {
        labels = Lists.copy(labels);
    }
}
