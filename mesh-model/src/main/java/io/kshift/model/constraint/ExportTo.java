package io.kshift.model.constraint;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An Istio {@code exportTo} list, checked as Istio checks it: each entry {@code .} (the resource's own namespace),
 * {@code *} (every namespace) or a namespace name, {@code ~} (no namespace) where {@link #allowNone} (ServiceEntry);
 * no entry twice, and {@code *} or {@code ~} alone (exporting to everyone and also to someone says two things).
 * Null or empty passes: that is every namespace.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ExportTo.Check.class)
public @interface ExportTo {
    String message() default "is not a valid exportTo list";

    boolean allowNone() default false;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<ExportTo, List<String>> {
        private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
        private boolean allowNone;

        @Override
        public void initialize(ExportTo annotation) {
            allowNone = annotation.allowNone();
        }

        @Override
        public boolean isValid(List<String> exportTo, ConstraintValidatorContext context) {
            String problem = exportTo == null ? null : problem(exportTo, allowNone);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(MessageText.escape(problem)).addConstraintViolation();
            return false;
        }

        public static String problem(List<String> exportTo, boolean allowNone) {
            Set<String> seen = new HashSet<>();
            for (String e : exportTo) {
                if (e == null || !(e.equals(".") || e.equals("*") || (allowNone && e.equals("~"))
                        || NAMESPACE.matcher(e).matches())) {
                    return "'" + (e == null ? "null" : MessageText.printable(e)) + "' is neither '.', '*'"
                            + (allowNone ? ", '~'" : "") + " nor a namespace name";
                }
                if (!seen.add(e)) {
                    return "'" + e + "' is listed twice";
                }
            }
            if (exportTo.size() > 1 && seen.contains("*")) {
                return "'*' exports to every namespace: it cannot be listed with other entries";
            }
            if (exportTo.size() > 1 && seen.contains("~")) {
                return "'~' exports to no namespace: it cannot be listed with other entries";
            }
            return null;
        }
    }
}
