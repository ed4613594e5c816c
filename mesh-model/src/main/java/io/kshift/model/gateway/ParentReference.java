package io.kshift.model.gateway;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** The Gateway (and optionally its listener, by {@code sectionName}) a route attaches to. */
public record ParentReference(String group, String kind, String namespace,
                              @NotBlank(message = "is required") String name, String sectionName,
                              @Min(value = 1, message = "must be a port number between 1 and 65535")
                              @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port) {
}
