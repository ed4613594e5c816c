package io.kshift.model.registry;

/**
 * A port of a service: the number clients name, its name, and where endpoints listen when they do not say
 * (a numeric target port, or the port's own number).
 */
public record ServicePortInfo(int number, String name, Integer targetPort, String targetPortName) {
}
