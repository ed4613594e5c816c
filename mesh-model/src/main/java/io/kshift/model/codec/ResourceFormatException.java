package io.kshift.model.codec;

import io.kshift.model.event.ValidationMessage;
import java.util.List;

/** A document that parsed as YAML/JSON but is not a valid kshift resource; lists every problem found. */
public class ResourceFormatException extends RuntimeException {
    private final transient List<ValidationMessage> problems;

    public ResourceFormatException(List<ValidationMessage> problems) {
        super(problems.toString());
        this.problems = List.copyOf(problems);
    }

    public List<ValidationMessage> problems() {
        return problems;
    }
}
