package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import java.util.Map;

/**
 * Istio's {@code istio.type.v1beta1.WorkloadSelector} ({@code matchLabels}), as a DestinationRule's
 * {@code workloadSelector} names the proxies it applies to; the networking API's own selector
 * ({@link WorkloadSelector}) says {@code labels}.
 */
public record MatchLabelsSelector(@LabelMap Map<String, String> matchLabels) {
    public MatchLabelsSelector {
        matchLabels = Lists.copy(matchLabels);
    }

    /** Whether a proxy with {@code labels} is selected: it carries every label asked for (none: every proxy). */
    public boolean selects(Map<String, String> labels) {
        return labels.entrySet().containsAll(matchLabels.entrySet());
    }
}
