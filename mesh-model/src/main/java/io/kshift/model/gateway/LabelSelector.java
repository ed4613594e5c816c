package io.kshift.model.gateway;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;

/** A Kubernetes label selector: every {@code matchLabels} pair and every expression must hold; empty selects all. */
public record LabelSelector(Map<String, String> matchLabels, List<@Valid Requirement> matchExpressions) {
    public LabelSelector {
        matchLabels = Lists.copy(matchLabels);
        matchExpressions = Lists.copy(matchExpressions);
    }

    public enum Operator { In, NotIn, Exists, DoesNotExist }

    public record Requirement(@NotBlank(message = "is required") String key,
                              @NotNull(message = "is required") Operator operator, List<String> values) {
        public Requirement {
            values = Lists.copy(values);
        }

        boolean holds(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case In -> v != null && values.contains(v);
                case NotIn -> v == null || !values.contains(v);
                case Exists -> v != null;
                case DoesNotExist -> v == null;
            };
        }
    }

    public boolean matches(Map<String, String> labels) {
        return matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))
                && matchExpressions.stream().allMatch(r -> r.holds(labels));
    }
}
