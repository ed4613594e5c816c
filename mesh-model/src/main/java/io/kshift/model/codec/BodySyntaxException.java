package io.kshift.model.codec;

/** A request body that is not well-formed YAML or JSON; carries where the parser stopped. */
public class BodySyntaxException extends Exception {
    private final int line;
    private final int column;

    public BodySyntaxException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
