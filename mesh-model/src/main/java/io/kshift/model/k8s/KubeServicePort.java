package io.kshift.model.k8s;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** A Service port; {@code targetPort} is a number or the name of a workload port, as in Kubernetes. */
public record KubeServicePort(
        String name,
        String protocol,
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port,
        Object targetPort,
        String appProtocol) {

    /** The numeric target port, if one was given as a number. */
    public Integer numericTargetPort() {
        if (targetPort instanceof Number n) {
            return n.intValue();
        }
        if (targetPort instanceof String s && s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            return Integer.valueOf(s);
        }
        return null;
    }

    /** The named target port, if {@code targetPort} names a port. */
    public String namedTargetPort() {
        return targetPort instanceof String s && numericTargetPort() == null ? s : null;
    }
}
