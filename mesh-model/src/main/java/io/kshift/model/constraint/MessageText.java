package io.kshift.model.constraint;

/** User text inside a constraint message: templates interpret braces and dollars, user text must not be. */
final class MessageText {
    private MessageText() {
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}
