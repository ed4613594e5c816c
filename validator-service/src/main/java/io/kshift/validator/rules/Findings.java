package io.kshift.validator.rules;

import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every error and warning of one validation run, in the order found, without duplicates. */
public final class Findings {
    private final Set<ValidationMessage> errors = new LinkedHashSet<>();
    private final Set<ValidationMessage> warnings = new LinkedHashSet<>();

    public void error(ResourceKey resource, String field, String message) {
        errors.add(new ValidationMessage(resource.toString(), field, message));
    }

    public void error(ValidationMessage message) {
        errors.add(message);
    }

    public void warn(ResourceKey resource, String field, String message) {
        warnings.add(new ValidationMessage(resource.toString(), field, message));
    }

    public List<ValidationMessage> errors() {
        return new ArrayList<>(errors);
    }

    public List<ValidationMessage> warnings() {
        return new ArrayList<>(warnings);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }
}
